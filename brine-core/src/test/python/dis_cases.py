# -*- coding: utf-8 -*-
"""Pickles for checking `brine dis` against CPython's pickletools, and pickletools' own output for them.

    python dis_cases.py generate OUTDIR   # writes OUTDIR/<case>.pkl with this interpreter (2.7 or 3.x)
    python dis_cases.py expect OUTDIR ROOT  # what `python -m pickletools [-a] FILE` prints for ROOT/**.pkl

`generate` writes well-formed pickles of many kinds at every protocol the interpreter has, and, under
Python 3, malformed streams that pickletools rejects in each of its ways (names start with `bad_`).

`expect` runs pickletools.dis on each file exactly as pickletools' __main__ does (indentlevel 4, annotate 30
for -a, a fresh memo), capturing stdout and, when dis raises, the last line of the traceback that
`python -m pickletools` would print ("ValueError: ..."). One process serves every file, which is much faster
than one interpreter per file; DisassemblerTest also runs the real `python -m pickletools` on a sample to check
that this is the same thing.
"""
from __future__ import print_function

import binascii
import io
import os
import pickle
import shutil
import struct
import sys

PY3 = sys.version_info[0] >= 3


class Plain(object):
    def __init__(self, value):
        self.value = value


class Slotted(object):
    __slots__ = ('a', 'b')

    def __init__(self):
        self.a = 1
        self.b = [1, 2]

    def __getstate__(self):
        return (None, {'a': self.a, 'b': self.b})

    def __setstate__(self, state):
        for k, v in state[1].items():
            setattr(self, k, v)


class WithNewArgs(object):
    def __new__(cls, x):
        o = object.__new__(cls)
        o.x = x
        return o

    def __getnewargs__(self):
        return (self.x,)


class WithNewArgsEx(object):
    def __new__(cls, x, y=0):
        o = object.__new__(cls)
        o.x, o.y = x, y
        return o

    def __getnewargs_ex__(self):
        return (self.x,), {'y': self.y}


class ListSub(list):
    pass


class DictSub(dict):
    pass


def values():
    """(name, value) pairs covering the opcodes and the repr corner cases."""
    u = lambda s: (s.encode('latin-1') if PY3 else s).decode('utf-8')  # literals spell UTF-8 bytes
    shared = [1, 2]
    rec = []
    rec.append(rec)
    recd = {}
    recd['self'] = recd
    v = [
        ('none', None), ('true', True), ('false', False),
        ('ints', [0, 1, -1, 127, 255, 256, 65535, 65536, -65536, 2 ** 31 - 1, -2 ** 31, 2 ** 31, -2 ** 31 - 1,
                  2 ** 32, 2 ** 63 - 1, -2 ** 63, 2 ** 63, 2 ** 64, -2 ** 64]),
        ('bigint', 2 ** 1000 + 12345), ('negbigint', -(3 ** 2000)), ('int_255_bytes', 2 ** (8 * 255 - 1) - 1),
        ('int_256_bytes', 2 ** (8 * 256)),
        ('floats', [0.0, -0.0, 1.0, -1.5, 0.1, 0.2, 1.0 / 3, 2.0 / 3, 1e16, 1e15, 123456789012345678.0, 1e-4,
                    1e-5, 0.00012345, 1e22, 1e23, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                    9007199254740993.0, 4.35, 0.3, 100.0, 1234.5678, 1e100, 2.0 ** 60, 2.0 ** -20,
                    float('inf'), float('-inf'), float('nan'), 3.141592653589793, 2.718281828459045]),
        ('float_powers_of_two', [2.0 ** e for e in range(-1074, 1024, 37)]),
        ('float_odd', [1.0 / k for k in range(1, 200, 7)] + [k * 1.1 for k in range(1, 60, 3)]),
        ('str_empty', u('')), ('str_ascii', u('hello world')), ('str_quote1', u("it's")),
        ('str_quote2', u('say "hi"')), ('str_both_quotes', u('both \' and "')),
        ('str_controls', u('tab\tnl\nret\r\x00\x01\x1f\x7f\\ back')),
        ('str_latin1', u('caf\xc3\xa9 \xc2\xa0nbsp \xc2\xad shy \xc3\xbf')),
        ('str_bmp', u('\xe4\xb8\xad\xe6\x96\x87 \xe2\x80\xa8 \xef\xbb\xbf \xe2\x80\x8b \xef\xbf\xbf')),
        ('str_astral', u('\xf0\x9f\x98\x80 \xf0\x9d\x84\x9e \xf3\xa0\x80\x81')),
        ('str_unicode15', u('\xf0\x9f\xab\xa8 \xf0\x9f\xaa\xbf \xe0\xb3\xb3 \xf0\xb1\x8d\x90')),
        ('str_long', u('x') * 300),
        ('str_nonchar', u('\xef\xb7\x90 \xf4\x8f\xbf\xbf')),
        ('tuples', [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((),)]),
        ('list_empty', []), ('dict_empty', {}), ('nested', {'a': [1, (2, 3), {'b': None}], 'c': {u('d'): 1.5}}),
        ('dict_int_keys', {1: 'one', 2: 'two', (1, 2): 'tuple'}),
        ('shared', [shared, shared, (shared, shared)]),
        ('recursive_list', rec), ('recursive_dict', recd),
        ('many_items', list(range(2500))), ('many_dict', dict((i, str(i)) for i in range(1100))),
        ('deep', [[[[[[[[[[1]]]]]]]]]]),
        ('plain_obj', Plain(5)), ('plain_obj_shared', [Plain('x')] * 2),
        ('slotted', Slotted()), ('newargs', WithNewArgs(7)),
        ('list_sub', ListSub([1, 2, 3])), ('dict_sub', DictSub(a=1)),
        ('complex', complex(1.5, -2.0)), ('globals', [len, Plain, pickle.dumps]),
        ('unicode_many', [u('\xce\xb1') * i for i in range(5)]),
    ]
    if PY3:
        import collections
        import datetime
        import decimal
        import fractions
        v += [
            ('bytes', [b'', b'\x00\xff', b"'", b'"', b'\'"', bytes(range(256))]),
            ('bytes_big', b'\xab' * 70000), ('str_big', 'y' * 70000),
            ('bytearray', bytearray(b'abc\x00\'')),
            ('sets', [set(), {1, 2, 3}, frozenset(), frozenset({'a'})]),
            ('set_big', set(range(1500))),
            ('str_surrogate', 'lone \ud800 \udfff x'),
            ('ordered', collections.OrderedDict([('a', 1), ('b', 2)])),
            ('datetime', [datetime.datetime(2020, 1, 2, 3, 4, 5, 6), datetime.date(1999, 12, 31)]),
            ('decimal', decimal.Decimal('3.14')), ('fraction', fractions.Fraction(1, 3)),
            ('newargs_ex', WithNewArgsEx(1, y=2)),
            ('range', range(1, 10, 2)), ('slice', slice(1, 2, None)), ('ellipsis', Ellipsis),
            ('type_refs', [int, type(None), NotImplemented]),
        ]
    else:
        v += [
            ('py2_str', ['', 'abc', "it's", '\x00\xff\x80', 'a\\b', 'x' * 300]),
            ('py2_long', [long(0), long(1), long(-1), 2 ** 100, -(2 ** 70)]),  # noqa: F821 (Python 2)
            ('py2_unicode_escapes', u'\\u1234 \\ \u1234 \x00\n'),
        ]
    return v


def generate(outdir):
    if not os.path.isdir(outdir):
        os.makedirs(outdir)
    tag = 'py%d%d' % sys.version_info[:2]
    protocols = range(0, pickle.HIGHEST_PROTOCOL + 1)
    for name, value in values():
        for proto in protocols:
            try:
                data = pickle.dumps(value, proto)
            except Exception:
                continue  # e.g. recursion at protocol 0 for some types; nothing to compare
            write(outdir, '%s.%s.p%d' % (name, tag, proto), data)
    if PY3:
        # Out-of-band buffers, and a pickler with a persistent id.
        import pickle as p
        if hasattr(p, 'PickleBuffer'):
            oob = [p.PickleBuffer(b'oob data'), p.PickleBuffer(bytearray(b'rw'))]
            write(outdir, 'buffer_oob.%s.p5' % tag, p.dumps(oob, protocol=5, buffer_callback=lambda b: False))

        class Persisting(p.Pickler):
            def persistent_id(self, obj):
                return ('key', obj[1:]) if isinstance(obj, str) and obj.startswith('@') else None

        for proto in (0, 1, 2, 4):
            f = io.BytesIO()
            Persisting(f, proto).dump(['@a', 'b', '@c'])
            write(outdir, 'persistent.%s.p%d' % (tag, proto), f.getvalue())
        for name, data in malformed():
            write(outdir, 'bad_%s.%s' % (name, tag), data)


def malformed():
    """Streams pickletools rejects, one per way it can fail, plus odd but accepted ones."""
    good = pickle.dumps([1, 'abc', (2.5, b'xy'), {'k': None}], 4)
    p0 = pickle.dumps([1, 'abc', (2.5,), {'k': None}], 0)
    p2 = pickle.dumps([1, 'abc', (2.5, 10 ** 30), {'k': None}], 2)
    cases = []
    for label, src in (('p4', good), ('p0', p0), ('p2', p2)):
        for cut in sorted(set([0, 1, 2, 3, 5, 8, 11, 12, 17, len(src) // 2, len(src) - 2, len(src) - 1])):
            cases.append(('truncated_%s_at_%d' % (label, cut), src[:cut]))
    cases += [
        ('empty', b''), ('unknown_opcode', b'\xff'), ('unknown_opcode_later', b'K\x01\xfe'),
        ('binget_unset', b'K\x01h\x05.'), ('get_unset', b'I1\ng7\n.'),
        ('put_twice', b'K\x01q\x00K\x02q\x00.'), ('put_empty_stack', b'q\x00.'),
        ('put_mark', b'(q\x00.'), ('memoize_collision', b'K\x01q\x01\x94.'), ('memoize_ok', b'K\x01\x94\x94t.'),
        ('put_bool', b'I1\np01\ng1\n.'), ('put_bool_twice', b'I1\np1\np01\n.'), ('put_negative', b'I1\np-1\n.'),
        ('pop_empty', b'0.'), ('stop_empty', b'.'), ('tuple_no_mark', b'K\x01t.'),
        ('appends_no_mark', b']K\x01e.'), ('stack_left', b'K\x01K\x02.'), ('stack_left_mark', b'(K\x01.'),
        ('pop_mark', b'(0N.'), ('pop_mark_memo', b'(N1N.'), ('mark_eaten', b'(\x85t.'), ('mark_eaten2', b'(N\x86l.'),
        ('reduce_underflow', b'NR.'), ('setitem_underflow', b'}K\x01s.'), ('obj_mark', b'(cm\nC\nK\x01o.'),
        ('inst', b'(K\x01im\nC\n.'), ('deep_marks', b'(((((((((K\x01ttttttttt.'),
        ('int_bad', b'I12a\n.'), ('int_spaces', b'I 1_0 \n.'), ('int_underscore_bad', b'I1__0\n.'),
        ('int_plus', b'I+5\n.'), ('int_empty', b'I\n.'), ('int_huge', b'I' + b'9' * 4301 + b'\n.'),
        ('int_limit', b'I' + b'9' * 4300 + b'\n.'), ('int_no_newline', b'I12'), ('int_00', b'I00\n.'),
        ('int_01', b'I01\n.'), ('int_001', b'I001\n.'),
        ('int_fs_space', b'I\x1c1\n.'), ('int_vt_space', b'I\x0b1\x0c\n.'), ('float_us_space', b'F\x1f1.5\n.'),
        ('put_fs_space', b'Np\x1c0\n.'), ('float_sign_dot', b'F-.5e-3\n.'), ('float_double_sign', b'F--1\n.'),
        ('unicode_odd_backslashes', b'V\\\\\\u0041\\\\u0041\n.'), ('unicode_U_negative', b'V\\UFFFFFFFF\n.'),
        ('utf8_f4_cut2', b'\x8c\x02\xf4\x8f.'), ('utf8_c2_cut', b'\x8c\x01\xc2.'),
        ('long_L', b'L123L\n.'), ('long_noL', b'L-123\n.'), ('long_only_L', b'LL\n.'),
        ('long_huge_repr', b'\x8b' + struct.pack('<i', 2000) + b'\x7f' * 2000 + b'.'),
        ('long4_negative', b'\x8b\xff\xff\xff\xff.'), ('long1_short', b'\x8a\x05\x01\x02'),
        ('long1_empty', b'\x8a\x00.'), ('long1_neg', b'\x8a\x02\x00\x80.'),
        ('float_bad', b'Fabc\n.'), ('float_inf', b'Finf\n.'), ('float_nan', b'F-NaN\n.'),
        ('float_infinity', b'FInfinity\n.'), ('float_underscore', b'F1_0.5\n.'), ('float_hex', b'F0x1p3\n.'),
        ('float_exp_bad', b'F1e\n.'), ('float_dot', b'F.5\n.'), ('float_trailing_dot', b'F5.\n.'),
        ('float_huge_exp', b'F1e999\n.'), ('float_tiny', b'F1e-400\n.'), ('float_space', b'F 2.5 \n.'),
        ('float_d_suffix', b'F1.5d\n.'), ('binfloat_short', b'G\x00\x01'),
        ('string_no_quotes', b'Sabc\n.'), ('string_one_quote', b"S'abc\n."), ('string_lone_quote', b"S'\n."),
        ('string_dquote', b'S"a\'b"\n.'), ('string_escapes', b"S'a\\n\\t\\x41\\101\\\\\\'\\z'\n."),
        ('string_bad_x', b"S'\\x4'\n."), ('string_trailing_backslash', b"S'a\\'\n."),
        ('string_nonascii', b"S'caf\xc3\xa9'\n."), ('string_octal_big', b"S'\\777'\n."),
        ('string_escaped_nonascii', b"S'\\xe9'\n."), ('string_empty_line', b'S\n.'),
        ('binstring_negative', b'T\xff\xff\xff\xff.'), ('binstring_short', b'T\x05\x00\x00\x00ab'),
        ('short_binstring', b'U\x03a\xffc.'), ('binbytes_short', b'B\x05\x00\x00\x00ab'),
        ('binbytes8_huge', b'\x8e' + struct.pack('<Q', 2 ** 63 + 5) + b'ab'),
        ('binbytes8_big', b'\x8e' + struct.pack('<Q', 2 ** 40) + b'ab'),
        ('bytearray8_short', b'\x96\x05' + b'\x00' * 7 + b'ab'),
        ('binunicode8_huge', b'\x8d' + b'\xff' * 8),
        ('unicode_raw_escapes', b'Vab\\u0041\\U0001F600\\\\u0041 \xe9\n.'),
        ('unicode_truncated_u', b'Vab\\u12\n.'), ('unicode_bad_u', b'Va\\u12g4\n.'),
        ('unicode_out_of_range', b'V\\U00110000\n.'), ('unicode_surrogate', b'V\\ud800\n.'),
        ('unicode_no_newline', b'Vabc'), ('unicode_backslash_end', b'Vab\\\n.'),
        ('utf8_invalid_start', b'\x8c\x02a\xff.'), ('utf8_truncated', b'\x8c\x03a\xe2\x82.'),
        ('utf8_bad_cont', b'\x8c\x03\xe2\x82a.'), ('utf8_surrogate', b'\x8c\x03\xed\xa0\x80.'),
        ('utf8_surrogate_cut', b'\x8c\x02\xed\xa0.'), ('utf8_overlong', b'\x8c\x02\xc0\x80.'),
        ('utf8_too_big', b'\x8c\x04\xf4\x90\x80\x80.'), ('utf8_4byte_cut', b'\x8c\x03\xf0\x90\x80.'),
        ('utf8_4byte_bad3', b'\x8c\x04\xf0\x90\x41\x80.'), ('utf8_e0_overlong', b'\x8c\x03\xe0\x80\x80.'),
        ('utf8_lone_cont', b'X\x01\x00\x00\x00\x80.'),
        ('global_escapes', b'cmod\\x41\nna\\me\n.'), ('global_nonascii', b'cmod\xc3\xa9\nname\n.'),
        ('global_one_line', b'cmod\n'), ('global_bad_escape', b'cmod\\x\nname\n.'),
        ('persid_text', b'Pabc\n.'), ('binpersid', b'K\x01Q.'),
        ('proto_high', b'\x80\x09N.'), ('frame_only', b'\x95\x05\x00\x00\x00\x00\x00\x00\x00N.'),
        ('frame_huge', b'\x95' + b'\xff' * 8 + b'N.'), ('ext', b'\x82\x01\x83\x01\x01\x84\xff\xff\xff\xff\x87.'),
        ('trailing_garbage', b'N.garbage'), ('two_pickles', b'K\x01.K\x02.'),
        ('dup', b'K\x012\x86.'), ('readonly_buffer_empty', b'\x98.'), ('next_buffer', b'\x97\x98.'),
        ('stack_global', b'\x8c\x01m\x8c\x01n\x93.'), ('stack_global_underflow', b'\x8c\x01m\x93.'),
        ('newobj_ex', b'N)}\x92.'), ('build', b'NNb.'), ('additems', b'\x8f(K\x01\x90.'),
        ('frozenset', b'(K\x01\x91.'), ('setitems', b'}(K\x01K\x02u.'), ('pop_mark_no_mark', b'1.'),
        ('quote_opcode', b"'"), ('backslash_opcode', b'\\'),
        ('long_line', b'V' + b'z' * 50 + b'\n(((' + b'K\x01' * 3 + b'ttt.'),
        ('annotate_column_reset', b'\x8c\x30' + b'w' * 48 + b'K\x01\x86.'),
    ]
    return cases


def write(outdir, name, data):
    with open(os.path.join(outdir, name + '.pkl'), 'wb') as f:
        f.write(data)


def _cases(root):
    """(name, path, content key) for each *.pkl below ROOT, sorted by path; <name> is the path below ROOT with '/'
    spelled '__'. Many cases are the same bytes written by several interpreters (2,199 contents among 13,852 files):
    a listing depends only on the bytes, so callers list each content once."""
    import hashlib
    files = []
    for d, _, names in os.walk(root):
        files += [os.path.join(d, n) for n in names if n.endswith('.pkl')]
    for path in sorted(files):
        with open(path, 'rb') as f:
            key = hashlib.sha256(f.read()).hexdigest()
        yield os.path.relpath(path, root).replace(os.sep, '__'), path, key


def _listing(path, annotate):
    """pickletools.dis of the file at PATH, as `python -m pickletools [-a]` prints it: (stdout, error or None)."""
    import pickletools
    out = io.StringIO()
    error = None
    with open(path, 'rb') as f:
        try:
            pickletools.dis(f, out, None, 4, annotate)
        except Exception as e:  # the CLI lets it escape; its traceback ends with this line
            error = '%s: %s' % (type(e).__name__, e)
    return out.getvalue(), error


SUFFIXES = (('', 0), ('-a', 30))


def expect(outdir, root):
    """For each *.pkl below ROOT, writes OUTDIR/<name>.dis and <name>.dis-a (stdout) and, when dis raises,
    <name>.err and <name>.err-a. A case with the same bytes as an earlier one gets hard links to its files."""
    if not os.path.isdir(outdir):
        os.makedirs(outdir)
    first = {}
    for name, path, key in _cases(root):
        for suffix, annotate in SUFFIXES:
            outputs = [name + '.dis' + suffix, name + '.err' + suffix]
            if key in first:
                for earlier, this in zip([first[key] + '.dis' + suffix, first[key] + '.err' + suffix], outputs):
                    if os.path.exists(os.path.join(outdir, earlier)):
                        try:
                            os.link(os.path.join(outdir, earlier), os.path.join(outdir, this))
                        except OSError:  # a file system without hard links: a copy
                            shutil.copyfile(os.path.join(outdir, earlier), os.path.join(outdir, this))
                continue
            text, error = _listing(path, annotate)
            with io.open(os.path.join(outdir, outputs[0]), 'w', encoding='utf-8', newline='') as f:
                f.write(text)
            if error is not None:
                with io.open(os.path.join(outdir, outputs[1]), 'w', encoding='utf-8', newline='') as f:
                    f.write(error)
        first.setdefault(key, name)


def digest(outfile, root):
    """As expect, but one line per listing into OUTFILE instead of two files: the name, the suffix ('-' for none),
    the SHA-256 of the listing's UTF-8 bytes, and the error's UTF-8 bytes in hex ('-' when dis did not raise).
    Tests compare other interpreters' listings by digest: the same pickletools work, no 400 MB written."""
    import hashlib
    seen = {}
    with io.open(outfile, 'w', encoding='utf-8', newline='\n') as listing:
        for name, path, key in _cases(root):
            for suffix, annotate in SUFFIXES:
                if (key, suffix) not in seen:
                    text, error = _listing(path, annotate)
                    seen[key, suffix] = (hashlib.sha256(text.encode('utf-8')).hexdigest(),
                                         '-' if error is None else
                                         binascii.hexlify(error.encode('utf-8')).decode('ascii'))
                sha, err = seen[key, suffix]
                listing.write(u'%s\t%s\t%s\t%s\n' % (name, suffix or '-', sha, err))


if __name__ == '__main__':
    if sys.argv[1] == 'generate':
        generate(sys.argv[2])
    elif sys.argv[1] == 'expect':
        expect(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'digest':
        digest(sys.argv[2], sys.argv[3])
    else:
        sys.exit('usage: dis_cases.py generate OUTDIR | expect OUTDIR ROOT | digest OUTFILE ROOT')
