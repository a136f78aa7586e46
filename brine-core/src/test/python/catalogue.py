# -*- coding: utf-8 -*-
"""Writes a catalogue of pickles made by this interpreter, for Brine's conformance tests.

Usage: python catalogue.py OUTDIR        (Python 2.7 or 3.6+)

For every case and every protocol this interpreter writes, the C pickler's output goes to
OUTDIR/<case>.p<N>.pkl, and the pure-Python pickler's output to OUTDIR/<case>.p<N>.py.pkl when its bytes differ.
Out-of-band buffers go to <name>.buf<i>. Each pickle has <name>.expect.json, the description (see describe.py) of
what CPython's own unpickler builds from it. OUTDIR/index.json lists every pickle.

The cases cover every opcode CPython's picklers write and the boundaries between them: every int opcode's edges,
floats with nan, infinities and -0.0, lone surrogates, every length form of strings and bytes, batching (more than
1000 items), framing (more than 64 KiB), recursion and sharing, Python 2 str, persistent ids, extension codes and
out-of-band buffers.
"""
from __future__ import print_function

import collections
import copy
import datetime
import decimal
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import describe  # noqa: E402
from describe import PY2, pickle  # noqa: E402

sys.setrecursionlimit(20000)

if PY2:
    import cPickle
    import copy_reg as copyreg
    unichr_ = unichr  # noqa: F821
    HIGHEST = 2
else:
    import copyreg
    unichr_ = chr
    HIGHEST = pickle.HIGHEST_PROTOCOL


def U(*codepoints):
    """A text string from code points; works on both Pythons (lone surrogates included)."""
    if PY2 and any(c > 0xffff for c in codepoints) and sys.maxunicode == 0xffff:
        raise ValueError('narrow Python 2 build')
    return u''.join(unichr_(c) for c in codepoints)


# ---- classes and functions the cases pickle; they live in __main__, as user code usually does ----

class Point(object):
    def __init__(self, x, y):
        self.x = x
        self.y = y


class Slotted(object):
    __slots__ = ('a', 'b')

    def __init__(self):
        self.a = 1
        self.b = U(0xe9)


class WithNewArgs(object):
    def __new__(cls, *args):
        return object.__new__(cls)

    def __init__(self, n):
        self.n = n

    def __getnewargs__(self):
        return (self.n,)


class WithNewArgsEx(object):
    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, n, flag=False):
        self.n = n
        self.flag = flag

    def __getnewargs_ex__(self):
        return (self.n,), {'flag': self.flag}


class WithState(object):
    def __init__(self):
        self.secret = 7

    def __getstate__(self):
        return {'kept': self.secret}

    def __setstate__(self, state):
        self.secret = state['kept']


def make_thing(kind, size):
    return Thing(kind, size)


class Thing(object):
    def __init__(self, kind, size):
        self.kind = kind
        self.size = size

    def __reduce__(self):
        return (make_thing, (self.kind, self.size))


class MyList(list):
    pass


class MyDict(dict):
    pass


class Outer(object):
    class Inner(object):
        pass


class ExtA(object):
    pass


class ExtB(object):
    pass


class ExtC(object):
    pass


# Old-style class on Python 2 (INST / OBJ); a plain class on Python 3.
exec('class OldStyle:\n'
     '    def __init__(self):\n'
     '        self.v = 1\n')


class OldStyleInitArgs(OldStyle):  # noqa: F821
    def __init__(self, a, b):
        self.a = a
        self.b = b

    def __getinitargs__(self):
        return (self.a, self.b)


class Marker(object):
    """An object the pickler replaces by a persistent id."""

    def __init__(self, pid):
        self.pid = pid


EXTENSIONS = [(0xf0, '__main__', 'ExtA'), (0x1234, '__main__', 'ExtB'), (0x123456, '__main__', 'ExtC')]


# ---- the cases ----

CASES = []


def case(name, minproto=0, maxproto=99, **options):
    def register(factory):
        CASES.append((name, factory, minproto, maxproto, options))
        return factory
    return register


def value_case(name, value, minproto=0, maxproto=99, **options):
    CASES.append((name, lambda: value, minproto, maxproto, options))


INT_EDGES = [
    ('zero', 0), ('one', 1), ('minus_one', -1),
    ('u8_max', 0xff), ('u8_max_plus1', 0x100), ('minus_u8_max', -0xff), ('minus_256', -0x100),
    ('u16_max', 0xffff), ('u16_max_plus1', 0x10000), ('minus_u16_max', -0xffff), ('minus_65536', -0x10000),
    ('i32_max', 2 ** 31 - 1), ('i32_max_plus1', 2 ** 31), ('i32_min', -2 ** 31), ('i32_min_minus1', -2 ** 31 - 1),
    ('u32_max', 2 ** 32 - 1), ('u32_max_plus1', 2 ** 32),
    ('i64_max', 2 ** 63 - 1), ('i64_max_plus1', 2 ** 63), ('i64_min', -2 ** 63), ('i64_min_minus1', -2 ** 63 - 1),
    ('u64_max', 2 ** 64 - 1), ('u64', 2 ** 64), ('minus_u64', -2 ** 64),
    ('big_127', 2 ** 127), ('minus_big_127', -2 ** 127),
    # LONG1 holds up to 255 bytes of two's complement; one more byte needs LONG4.
    ('long1_max', 2 ** (8 * 255 - 1) - 1), ('long4_min', 2 ** (8 * 255 - 1)),
    ('minus_long1_max', -2 ** (8 * 255 - 1)), ('minus_long4_min', -2 ** (8 * 255 - 1) - 1),
    ('long1_boundary_0x80', 0x80), ('long1_boundary_0x8000', 0x8000), ('minus_0x81', -0x81),
]
for _name, _value in INT_EDGES:
    value_case('int_' + _name, _value)
# Huge ints only in binary protocols: CPython 3.11+ refuses int <-> decimal text beyond 4300 digits.
value_case('int_huge_70k_bytes', 3 ** 350000, minproto=2)
value_case('int_huge_negative', -(7 ** 3000), minproto=2)
value_case('int_list', [v for _, v in INT_EDGES])
if PY2:
    value_case('py2_long_small', long(5))  # noqa: F821  (LONG 'L' text at protocol 0, LONG1 at 2)
    value_case('py2_long_negative', long(-3))  # noqa: F821
    value_case('py2_int_over_32_bits', 2 ** 40)  # INT text even in binary protocols

value_case('none', None)
value_case('true', True)
value_case('false', False)
value_case('bools_and_none', [True, False, None, True])

FLOATS = [('zero', 0.0), ('minus_zero', -0.0), ('one_half', 1.5), ('tenth', 0.1), ('nan', float('nan')),
          ('inf', float('inf')), ('minus_inf', float('-inf')), ('min_subnormal', 5e-324),
          ('subnormal', 1e-310), ('max', 1.7976931348623157e308), ('min_normal', 2.2250738585072014e-308),
          ('big', 1e16), ('negative_small', -1e-5), ('third', 1.0 / 3)]
for _name, _value in FLOATS:
    value_case('float_' + _name, _value)
value_case('float_list', [v for _, v in FLOATS])
value_case('complex', complex(1.5, -2.0))
value_case('complex_special', [complex(float('nan'), -0.0), complex(float('inf'), 0.0)])

value_case('str_empty', U())
value_case('str_ascii', U(*[ord(c) for c in 'hello']))
value_case('str_latin1', U(0xe9, 0xff, 0x80))
value_case('str_bmp', U(0x20ac, 0x4e2d))
value_case('str_astral', U(0x1f600, 0x10ffff))
value_case('str_lone_high_surrogate', U(0xd800))
value_case('str_lone_low_surrogate', U(0xdfff))
value_case('str_surrogate_in_text', U(0x61, 0xdc80, 0x62))
# Protocol 0's raw-unicode-escape must keep these exactly (newline, backslash, NUL, CR).
value_case('str_escapes', U(0x61, 0x0a, 0x5c, 0x00, 0x0d, 0x62, 0x5c, 0x75, 0x31))
value_case('str_255_bytes', U(*([0x61] * 255)))
value_case('str_256_bytes', U(*([0x61] * 256)))
value_case('str_255_bytes_utf8', U(*([0xe9] * 127 + [0x61])))
value_case('str_256_bytes_utf8', U(*([0xe9] * 128)))
value_case('str_70k', U(*([0x61, 0x20ac, 0x62] * 24000)))
value_case('str_list_shared_text', [U(0x61), U(0x61), U(0xe9)])

if PY2:
    value_case('py2_str_ascii', 'abc')
    value_case('py2_str_empty', '')
    value_case('py2_str_non_ascii', '\x00\xff\x80a')
    value_case('py2_str_quotes', 'it\'s "quoted"\n\\')
    value_case('py2_str_255', 'x' * 255)
    value_case('py2_str_256', 'y' * 256)
    value_case('py2_str_70k', '\xe9' * 70000)
    value_case('py2_str_keys', {'key': 'value', 'caf\xe9': u'caf\xe9'})
    value_case('py2_str_in_object', Point('x\xff', 'y'))
else:
    value_case('bytes_empty', b'')
    value_case('bytes_small', b'\x00\xff\x80a')
    value_case('bytes_255', b'x' * 255)
    value_case('bytes_256', b'y' * 256)
    value_case('bytes_70k', bytes(bytearray(range(256))) * 280)
    value_case('bytes_keys', {b'k': b'v', b'\xff': 1})

value_case('bytearray_empty', bytearray())
value_case('bytearray_small', bytearray(b'\x00\xffab'))
value_case('bytearray_70k', bytearray(b'z' * 70000))

value_case('tuple_0', ())
value_case('tuple_1', (1,))
value_case('tuple_2', (1, U(0x62)))
value_case('tuple_3', (1, 2, 3))
value_case('tuple_4', (1, 2, 3, 4))
value_case('tuple_nested', ((), ((),), (1, (2, (3,)))))
value_case('tuple_of_empties', ((), [], {}, U(), bytearray()))

value_case('list_empty', [])
value_case('list_1', [1])
value_case('list_1000', list(range(1000)))
value_case('list_1001', list(range(1001)))
value_case('list_2500', list(range(2500)))
value_case('list_70k_data', [U(0x61) * 100] * 1000)

value_case('dict_empty', {})
value_case('dict_1', {U(0x61): 1})
value_case('dict_1500', dict((i, U(*[ord(c) for c in str(i)])) for i in range(1500)))
value_case('dict_mixed_keys', {1: U(0x61), U(0x62): 2, None: 3, 2.5: 4, (1, 2): 5, frozenset([1]): 6, True: 7,
                               -2 ** 70: 8})

value_case('set_empty', set())
value_case('set_small', set([1, 2, 3]))
value_case('set_1500', set(range(1500)))
value_case('set_of_tuples', set([(1, 2), (3, U(0x61)), ()]))
value_case('frozenset_empty', frozenset())
value_case('frozenset_small', frozenset([1, U(0x61)]))
value_case('frozenset_1200', frozenset(range(1200)))
value_case('frozenset_nested', frozenset([frozenset([1]), frozenset()]))


@case('recursive_list')
def _():
    x = []
    x.append(x)
    return x


@case('recursive_dict')
def _():
    d = {}
    d[U(0x73)] = d
    return d


@case('recursive_list_dict')
def _():
    x = [1]
    d = {U(0x6c): x}
    x.append(d)
    return [d, x]


@case('recursive_tuple')
def _():
    # A tuple that reaches itself through a list: the pickler pops it and re-fetches it from the memo
    # (POP_MARK at protocol 0 and 1, POP with TUPLEn above).
    x = []
    t = (x,)
    x.append(t)
    return t


@case('recursive_tuple_3')
def _():
    x = []
    t = (1, x, 2)
    x.append(t)
    return [t, x]


@case('recursive_tuple_big')
def _():
    x = []
    t = (x, 1, 2, 3, 4)
    x.append(t)
    return t


@case('recursive_dict_tuple')
def _():
    d = {}
    t = (d,)
    d[1] = t
    return t


@case('recursive_set_via_object')
def _():
    p = Point(None, None)
    s = set([1])
    p.x = s
    return [p, s, p]


@case('recursive_object')
def _():
    p = Point(1, None)
    p.y = p
    return p


@case('shared_list')
def _():
    x = [1]
    return [x, x, (x,)]


@case('shared_dict_and_set')
def _():
    d = {1: 2}
    s = set([1])
    return {U(0x61): d, U(0x62): d, U(0x63): s, U(0x64): [s]}


@case('shared_tuple')
def _():
    t = (1, 2)
    return [t, t, [t]]


@case('shared_bytearray')
def _():
    b = bytearray(b'ab')
    return [b, b]


@case('shared_object')
def _():
    p = Point(1, 2)
    return [p, p, {U(0x70): p}]


@case('memo_over_256')
def _():
    # More than 256 memo entries: BINPUT/BINGET give way to LONG_BINPUT/LONG_BINGET.
    items = [[i] for i in range(400)]
    return items + items


@case('nested_200')
def _():
    x = []
    for i in range(200):
        x = [x, {i: (i,)}]
    return x


@case('nested_mixed')
def _():
    return {U(0x61): [1, (2, set([3])), {U(0x62): frozenset([4])}], U(0x63): (bytearray(b'x'), None)}


value_case('object_point', Point(1, U(0x79)))
value_case('object_slotted', Slotted(), minproto=2)
value_case('object_newargs', WithNewArgs(5), minproto=2)
value_case('object_getstate', WithState())
value_case('object_reduce_function', Thing(U(0x6b), 3))
value_case('object_list_subclass', MyList([1, 2]), minproto=2)
value_case('object_dict_subclass', MyDict(a=1), minproto=2)
value_case('ordered_dict', collections.OrderedDict([(U(0x61), 1), (U(0x62), [2])]))
value_case('date', datetime.date(2024, 1, 2))
value_case('datetime', datetime.datetime(2024, 2, 29, 13, 14, 15, 999))
value_case('decimal', decimal.Decimal('1.25'))
value_case('old_style_instance', OldStyle())  # noqa: F821
value_case('old_style_initargs', OldStyleInitArgs(1, U(0x62)))
value_case('global_class', Point)
value_case('global_function', make_thing)
value_case('global_stdlib_class', collections.OrderedDict)
value_case('global_builtin', len)
value_case('extension_codes', [ExtA, ExtB, ExtC, ExtA], extensions=True)
# Native str ids: Python 2's cPickle wants bytes at protocol 0, Python 3 wants text.
value_case('persistent_ids', [Marker('ab'), 1, Marker('c')], persistent=True)
if not PY2:
    value_case('object_newargs_ex', WithNewArgsEx(5, flag=True), minproto=2)
    value_case('global_nested_class', Outer.Inner, minproto=4)
    value_case('global_nested_instance', Outer.Inner(), minproto=4)
if hasattr(pickle, 'PickleBuffer'):
    value_case('buffers_out_of_band',
               [pickle.PickleBuffer(b'read-only'), pickle.PickleBuffer(bytearray(b'writable')), b'in-band', 1],
               minproto=5, oob=True)
    value_case('buffers_in_band', [pickle.PickleBuffer(b'ro'), pickle.PickleBuffer(bytearray(b'rw'))], minproto=5)
    value_case('buffer_shared_out_of_band',
               [pickle.PickleBuffer(bytearray(b'same'))] * 2, minproto=5, oob=True)


# ---- writing ----

def persistent_id(obj):
    return obj.pid if isinstance(obj, Marker) else None


def dumps(value, protocol, pure, persistent, buffer_callback):
    f = io.BytesIO()
    if PY2:
        pickler = pickle.Pickler(f, protocol) if pure else cPickle.Pickler(f, protocol)
        if persistent:
            pickler.persistent_id = persistent_id
    else:
        base = pickle._Pickler if pure else pickle.Pickler
        kwargs = {}
        if buffer_callback is not None:
            kwargs['buffer_callback'] = buffer_callback
        if persistent:
            class PersistentPickler(base):
                def persistent_id(self, obj):
                    return persistent_id(obj)
            pickler = PersistentPickler(f, protocol, **kwargs)
        else:
            pickler = base(f, protocol, **kwargs)
    pickler.dump(value)
    return f.getvalue()


def main(outdir):
    if not os.path.isdir(outdir):
        os.makedirs(outdir)
    for code, module, name in EXTENSIONS:
        copyreg.add_extension(module, name, code)
    entries = []
    skipped = []
    for name, factory, minproto, maxproto, options in CASES:
        for protocol in range(max(0, minproto), min(HIGHEST, maxproto) + 1):
            previous = None
            for pickler in ('c', 'py'):
                buffers = [] if options.get('oob') else None
                callback = buffers.append if buffers is not None else None
                try:
                    data = dumps(factory(), protocol, pickler == 'py', options.get('persistent'), callback)
                except Exception as e:
                    skipped.append('%s p%d %s: cannot pickle: %s: %s' % (name, protocol, pickler,
                                                                       type(e).__name__, e))
                    continue
                if pickler == 'py' and data == previous:
                    continue
                previous = data
                stem = '%s.p%d%s' % (name, protocol, '' if pickler == 'c' else '.py')
                with open(os.path.join(outdir, stem + '.pkl'), 'wb') as f:
                    f.write(data)
                raw_buffers = [bytes(b.raw()) for b in (buffers or [])]
                buffer_files = []
                for i, raw in enumerate(raw_buffers):
                    buffer_files.append('%s.buf%d' % (stem, i))
                    with open(os.path.join(outdir, buffer_files[-1]), 'wb') as f:
                        f.write(raw)
                entry = {'name': stem, 'case': name, 'protocol': protocol, 'pickler': pickler,
                         'file': stem + '.pkl', 'buffers': buffer_files,
                         'extensions': [list(e) for e in EXTENSIONS] if options.get('extensions') else [],
                         'persistent': bool(options.get('persistent'))}
                # What CPython itself makes of the bytes: the traced pure-Python load gives the description,
                # and the C unpickler must agree that the pickle loads.
                supplied = [bytearray(raw) for raw in raw_buffers] if buffers is not None else None
                try:
                    expect = describe.describe_load(data, buffers=supplied)
                    describe.dump_json(expect, os.path.join(outdir, stem + '.expect.json'))
                    entry['expect'] = stem + '.expect.json'
                except Exception as e:
                    entry['load_error'] = '%s: %s' % (type(e).__name__, e)
                entry['c_load'] = c_load_outcome(data, supplied, options.get('persistent'))
                entries.append(entry)
    version = '%d.%d.%d' % sys.version_info[:3]
    describe.dump_json({'python': version, 'highest_protocol': HIGHEST, 'cases': entries, 'skipped': skipped},
                       os.path.join(outdir, 'index.json'))
    print('%s: wrote %d pickles of %d cases (%d protocol/pickler combinations skipped)'
          % (version, len(entries), len(CASES), len(skipped)))


def c_load_outcome(data, buffers, persistent):
    try:
        if PY2:
            unpickler = cPickle.Unpickler(io.BytesIO(data))
            if persistent:
                unpickler.persistent_load = lambda pid: pid
        else:
            kwargs = {'buffers': buffers} if buffers is not None else {}

            class PersistentUnpickler(pickle.Unpickler):
                def persistent_load(self, pid):
                    return pid
            unpickler = PersistentUnpickler(io.BytesIO(data), **kwargs)
        unpickler.load()
        return 'ok'
    except Exception as e:
        return type(e).__name__


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: catalogue.py OUTDIR')
    main(sys.argv[1])
