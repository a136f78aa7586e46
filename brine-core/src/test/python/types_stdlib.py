"""Prints stdlib values pickled by this CPython, one per line: name, protocol, canonical text, pickle hex.

The canonical text is what dev.brine.types.Canon computes from the Java value Brine reads; the two are written
independently (this from the Python value, Canon from the Java one), so a wrong mapping shows as a mismatch.
Run: python3 types_stdlib.py
"""
import array
import collections
import datetime
import decimal
import fractions
import pathlib
import pickle
import sys
import typing
import uuid

try:
    import zoneinfo
except ImportError:
    zoneinfo = None


def canon(v):
    t = type(v)
    if v is None:
        return 'None'
    if t is bool:
        return 'True' if v else 'False'
    if t is int:
        return str(v)
    if t is float:
        return repr(v)
    if t is str:
        return "'" + v + "'"
    if t is bytes:
        return 'bytes ' + v.hex()
    if t in (list, tuple):
        return ('[' if t is list else '(') + ', '.join(canon(x) for x in v) + (']' if t is list else ')')
    if t is dict:
        return '{' + ', '.join(canon(k) + ': ' + canon(x) for k, x in v.items()) + '}'
    if t is datetime.date:
        return 'date ' + v.isoformat()
    if t is datetime.time:
        s = 'time ' + v.strftime('%H:%M:%S.%f')
        if v.tzinfo is not None:
            s += ' offset ' + str(int(v.utcoffset().total_seconds()))
        return s
    if t is datetime.datetime:
        s = 'datetime ' + v.strftime('%Y-%m-%dT%H:%M:%S.%f')
        if zoneinfo is not None and isinstance(v.tzinfo, zoneinfo.ZoneInfo):
            s += ' zone ' + v.tzinfo.key + ' fold ' + str(v.fold)
        elif v.tzinfo is not None:
            s += ' offset ' + str(int(v.utcoffset().total_seconds()))
        return s
    if t is datetime.timedelta:
        return 'timedelta ' + str((v.days * 86400 + v.seconds) * 10 ** 6 + v.microseconds)
    if t is datetime.timezone:
        return 'timezone ' + str(int(v.utcoffset(None).total_seconds()))
    if zoneinfo is not None and t is zoneinfo.ZoneInfo:
        return 'zone ' + v.key
    if t is fractions.Fraction:
        return 'fraction ' + str(v)
    if isinstance(v, pathlib.PurePath):
        return 'path ' + t.__name__ + ' ' + str(v) + ' ' + canon(list(v.parts))
    if isinstance(v, BaseException):
        # The constructor arguments as pickled: an OSError's filename is among them, though not in its args.
        r = v.__reduce__()
        s = 'exception ' + t.__name__ + ' ' + canon(list(r[1]))
        if len(r) > 2 and r[2]:
            s += ' state ' + canon(r[2])
        if isinstance(v, OSError):
            s += ' errno %s strerror %s filename %s' % (canon(v.errno), canon(v.strerror), canon(v.filename))
        return s
    if isinstance(v, tuple) and hasattr(t, '_fields'):
        return 'namedtuple ' + t.__module__ + '.' + t.__qualname__ + ' ' + canon(list(v))
    if t is decimal.Decimal:
        return 'decimal ' + str(v)
    if t is uuid.UUID:
        return 'uuid ' + str(v)
    if t is collections.OrderedDict:
        # An instance __dict__ (torch's state dicts carry _metadata) is part of the value.
        return 'OrderedDict ' + canon(dict(v)) + (' vars ' + canon(vars(v)) if vars(v) else '')
    if t is collections.defaultdict:
        f = v.default_factory
        return 'defaultdict ' + ('None' if f is None else f.__module__ + '.' + f.__qualname__) + ' ' + canon(dict(v))
    if t is collections.Counter:
        return 'Counter ' + canon(dict(v))
    if t is collections.deque:
        return 'deque ' + str(v.maxlen) + ' ' + canon(list(v))
    if t is array.array:
        items = v.tolist()
        if v.typecode in 'uw':
            items = [ord(c) for c in items]
        return 'array ' + v.typecode + ' ' + canon(items)
    if t is range:
        return 'range %d %d %d' % (v.start, v.stop, v.step)
    if t is slice:
        return 'slice ' + canon(v.start) + ' ' + canon(v.stop) + ' ' + canon(v.step)
    raise TypeError('no canonical text for %r' % (v,))


Point = collections.namedtuple('Point', 'x y')
Pair = typing.NamedTuple('Pair', [('key', str), ('value', float)])


def exception_with_dict():
    e = ValueError('bad')
    e.code = 7
    return e


def exception_with_cause():
    # __cause__, __context__ and __traceback__ are not pickled.
    try:
        try:
            raise KeyError('inner')
        except KeyError as inner:
            raise RuntimeError('outer') from inner
    except RuntimeError as e:
        return e


def ordered_dict_with_vars():
    # What torch.save(model.state_dict()) writes: an OrderedDict whose _metadata attribute BUILD sets.
    d = collections.OrderedDict([('weight', [1.0]), ('bias', None)])
    d._metadata = collections.OrderedDict([('', {'version': 1})])
    return d


def shared_errors():
    e = KeyError('k')
    return [e, e]


def inert(module, name, *args):
    """The canonical text of an inert node made by calling module.name(*args)."""
    return 'inert ' + module + '.' + name + ' ' + canon(list(args))


def cases():
    dt = datetime
    out = [
        ('date', dt.date(2024, 1, 2), None),
        ('date_min', dt.date(1, 1, 1), None),
        ('date_max', dt.date(9999, 12, 31), None),
        ('time', dt.time(13, 14, 15, 999), None),
        ('time_micro', dt.time(0, 0, 0, 999999), None),
        ('time_offset', dt.time(1, 2, 3, 4, tzinfo=dt.timezone(dt.timedelta(hours=-5))), None),
        ('datetime', dt.datetime(2024, 2, 29, 13, 14, 15, 999), None),
        ('datetime_utc', dt.datetime(2024, 2, 29, 13, 14, 15, tzinfo=dt.timezone.utc), None),
        ('datetime_offset', dt.datetime(2000, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))), None),
        ('datetime_fold_naive', dt.datetime(2024, 1, 1, fold=1), 'FOLD'),
        ('timedelta', dt.timedelta(days=-3, seconds=5, microseconds=7), None),
        ('timedelta_max', dt.timedelta.max, None),
        ('timezone_utc', dt.timezone.utc, None),
        ('timezone_offset', dt.timezone(dt.timedelta(hours=-9)), None),
        ('timezone_named', dt.timezone(dt.timedelta(hours=2), 'EET'),
         'inert datetime.timezone [timedelta 7200000000, \'EET\']'),
        ('decimal', decimal.Decimal('1.10'), None),
        ('decimal_exp', decimal.Decimal('1E+2'), None),
        ('decimal_small', decimal.Decimal('-0.000001'), None),
        ('decimal_tiny', decimal.Decimal('1E-7'), None),
        ('decimal_nan', decimal.Decimal('NaN'), None),
        ('decimal_nan_payload', decimal.Decimal('-NaN123'), None),
        ('decimal_snan', decimal.Decimal('-sNaN'), None),
        ('decimal_snan_payload', decimal.Decimal('sNaN0042'), None),
        ('decimal_inf', decimal.Decimal('-Infinity'), None),
        ('decimal_pinf', decimal.Decimal('Infinity'), None),
        ('decimal_negzero', decimal.Decimal('-0'), None),
        ('decimal_negzero_exp', decimal.Decimal('-0.00'), None),
        ('decimal_negzero_big_exp', decimal.Decimal('-0E+7'), None),
        ('decimal_zero', decimal.Decimal('0.000'), None),
        ('fraction', fractions.Fraction(1, 3), None),
        ('fraction_negative', fractions.Fraction(-7, 2), None),
        ('fraction_integer', fractions.Fraction(5), None),
        ('fraction_big', fractions.Fraction(2 ** 70 + 1, 3 ** 50), None),
        ('uuid', uuid.UUID('12345678-1234-5678-1234-567812345678'), None),
        ('uuid_max', uuid.UUID(int=2 ** 128 - 1), None),
        ('ordered_dict', collections.OrderedDict([('b', 1), ('a', [2])]), None),
        ('ordered_dict_empty', collections.OrderedDict(), None),
        ('ordered_dict_vars', ordered_dict_with_vars(), None),
        ('defaultdict', collections.defaultdict(list, {'a': [1]}), None),
        ('defaultdict_none', collections.defaultdict(None, {1: 2}), None),
        ('counter', collections.Counter('abracadabra'), None),
        ('deque', collections.deque([1, 2, 3]), None),
        ('deque_maxlen', collections.deque([1, 2], maxlen=5), None),
        ('range', range(1, 10, 2), None),
        ('range_neg', range(10, -10, -3), None),
        ('slice', slice(1, None, 2), None),
        ('ellipsis', Ellipsis, 'global builtins.Ellipsis'),
        ('notimplemented', NotImplemented, 'global builtins.NotImplemented'),
        ('value_error', ValueError('bad', 1), None),
        ('key_error', KeyError('k'), None),
        ('no_args', KeyboardInterrupt(), None),
        ('stop_iteration', StopIteration([1]), None),
        ('os_error', OSError(13, 'Permission denied'), None),
        ('file_not_found', FileNotFoundError(2, 'No such file or directory', 'f.txt'), None),
        ('os_error_one_arg', OSError('just text'), None),
        ('exception_dict', exception_with_dict(), None),
        ('exception_cause', exception_with_cause(), None),
        ('import_error', ImportError('no module', name='m', path='/p'), None),
        ('unicode_error', UnicodeDecodeError('utf-8', b'\xff', 0, 1, 'invalid start byte'), None),
        ('errors_shared', shared_errors(), None),
        ('path', pathlib.PurePosixPath('/a/b'), None),
        ('path_relative', pathlib.PurePosixPath('a', 'b//c', '.', 'd/'), None),
        ('path_dot', pathlib.PurePosixPath(), None),
        ('path_double_slash', pathlib.PurePosixPath('//srv/x'), None),
        ('path_reset', pathlib.PurePosixPath('a', '/b', 'c'), None),
        ('path_concrete', pathlib.PosixPath('/tmp/x.txt'), None),
        ('path_windows', pathlib.PureWindowsPath('c:/Users', 'Me\\file.txt'), None),
        ('path_windows_unc', pathlib.PureWindowsPath('//server/share/dir'), None),
        ('path_windows_relative', pathlib.PureWindowsPath('a/b', 'c'), None),
        ('path_windows_drive_relative', pathlib.PureWindowsPath('c:a', 'b'), None),
        ('path_windows_rooted', pathlib.PureWindowsPath('d:/x', '/y'), None),
        ('paths_shared', [pathlib.PurePosixPath('/a/b'), pathlib.PurePosixPath('/a/c')], None),
        ('namedtuple', Point(1, 'two'), None),
        ('namedtuple_nested', [Point(Point(1, 2), None), Point(3, 4)], None),
        ('typing_namedtuple', Pair('a', 2.5), None),
    ]
    if zoneinfo is not None:
        z = zoneinfo.ZoneInfo('Europe/Paris')
        out += [
            ('zoneinfo', z, None),
            ('datetime_zone', dt.datetime(2024, 7, 1, 12, 0, tzinfo=z), None),
            ('datetime_zone_fold', dt.datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=z), None),
            ('datetime_zone_fold0', dt.datetime(2024, 10, 27, 2, 30, fold=0, tzinfo=z), None),
            ('datetime_zone_fold_unambiguous', dt.datetime(2024, 7, 1, 2, 30, fold=1, tzinfo=z), 'FOLD'),
            ('datetime_zone_gap', dt.datetime(2024, 3, 31, 2, 30, tzinfo=z), 'GAP'),
        ]
    for code, items in [('b', [-128, 0, 127]), ('B', [0, 255]), ('h', [-32768, 32767]), ('H', [0, 65535]),
                        ('i', [-2 ** 31, 2 ** 31 - 1]), ('I', [0, 2 ** 32 - 1]), ('l', [-2 ** 63, 2 ** 63 - 1]),
                        ('L', [0, 2 ** 64 - 1]), ('q', [-2 ** 63, 1]), ('Q', [2 ** 64 - 1, 0]),
                        ('f', [1.5, -2.25]), ('d', [1.5, -0.0]), ('u', 'a\u00e9\U0001f600'), ('b', [])]:
        out.append(('array_' + code + ('' if items else '_empty'), array.array(code, items), None))
    return out


def main():
    protocols = range(0, pickle.HIGHEST_PROTOCOL + 1)
    for name, value, special in cases():
        for p in protocols:
            data = pickle.dumps(value, p)
            # What this protocol keeps: fold is recorded only from protocol 4.
            back = pickle.loads(data)
            if special == 'FOLD':
                text = 'inert datetime.datetime' if back.fold else canon(back)
            elif special == 'GAP':
                text = 'inert datetime.datetime'
            else:
                text = special if special is not None else canon(back)
            sys.stdout.write('%s\t%d\t%s\t%s\n' % (name, p, text, data.hex()))


def canon_each():
    """Loads each hex pickle of stdin (one a line) and prints its canonical text, or the error."""
    for line in sys.stdin.read().split():
        try:
            sys.stdout.write(canon(pickle.loads(bytes.fromhex(line))) + '\n')
        except Exception as e:
            sys.stdout.write('error %s: %s\n' % (type(e).__name__, e))


if __name__ == '__main__':
    if sys.argv[1:] == ['--canon']:
        canon_each()
    else:
        main()
