"""Pickles for Brine's writer tests, made by the CPython running this script.

Each mode prints one case per line: name, protocol, expected (1 if Brine's rewrite must be byte-identical on
this interpreter, 0 for a documented version difference), then the pickle in hex, separated by tabs.

    python pickler_cases.py catalogue                 # boundaries of every builtin type (any CPython 3.6+)
    python pickler_cases.py hypothesis SEED COUNT     # random builtin values (python3 with hypothesis)
    python pickler_cases.py objects                   # class instances, cloudpickle, numpy (python3)
    python pickler_cases.py check-objects             # stdin: name, protocol, hex lines rewritten by Brine
    python pickler_cases.py check-java                # stdin: name, protocol, hex, Python expression lines

Kept to Python 3.6 syntax: the catalogue and check-java run under every CPython 3.x on the machine.
"""
import math
import os
import pickle
import sys

sys.setrecursionlimit(10000)
V = sys.version_info[:2]
PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)


def emit(name, protocol, data, expected=True):
    sys.stdout.write('%s\t%d\t%d\t%s\n' % (name, protocol, 1 if expected else 0, data.hex()))


# ----------------------------------------------------------------------------------------------- catalogue

def catalogue():
    """(group, name, value) for every boundary the C pickler has a choice at."""
    cases = []

    def add(group, name, value):
        cases.append((group, name, value))

    for v in [0, 1, 255, 256, 65535, 65536, -1, -255, -256, 2 ** 31 - 1, -2 ** 31, 2 ** 31, -2 ** 31 - 1,
              2 ** 63 - 1, -2 ** 63, 2 ** 63, -2 ** 63 - 1, 2 ** 64, -2 ** 64, 2 ** 2039 - 1, 2 ** 2039,
              -2 ** 2039, -2 ** 2039 - 1, 2 ** 5000, 127, 128, -128, -129, 32767, 32768]:
        add('int', str(v)[:20], v)
    add('atom', 'True', True)
    add('atom', 'False', False)
    add('atom', 'None', None)
    for v in [0.0, -0.0, 1.0, 0.1, 1 / 3, 2 / 3, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 5e-324, 1e22, 1e23,
              1.7976931348623157e308, float('inf'), float('-inf'), float('nan'), 123456789012345678.0, 2.5e-7,
              0.3, 100.0, 1e300, -1.5e-300]:
        add('float', repr(v), v)
    for name, v in [('empty', ''), ('a', 'a'), ('255', 'x' * 255), ('256', 'x' * 256),
                    ('utf8-255', '\xe9' * 127 + 'x'), ('utf8-256', '\xe9' * 128),
                    ('escapes', '\x00\n\r\x1a\\ \t\x7f\x80\xff'), ('u0100', '\u0100\uffff'),
                    ('astral', '\U0001f600\U0010ffff'), ('lone-surrogate', '\ud800x\udfff'),
                    ('65535', 'x' * 65535), ('65536', 'x' * 65536), ('big', '\u20ac' * 30000)]:
        add('str', name, v)
    for name, v in [('empty', b''), ('one', b'\x00'), ('255', b'x' * 255), ('256', b'x' * 256),
                    ('latin1', bytes(range(256))), ('65535', b'\xff' * 65535), ('65536', b'\xff' * 65536),
                    ('big', b'y' * 200000), ('mixed-big', bytes((i * 151 + i // 7) & 0xff for i in range(100000)))]:
        add('bytes', name, v)
    for name, v in [('empty', bytearray()), ('ab', bytearray(b'ab')), ('all', bytearray(range(256))),
                    ('big', bytearray(b'z' * 70000))]:
        add('bytearray', name, v)
    for n in [0, 1, 2, 3, 4, 5, 300]:
        add('tuple', str(n), tuple(range(n)))
    add('tuple', 'nested-empty', ((), ((),)))
    t = (1, 2)
    add('tuple', 'shared', [t, t, (t,)])
    for n in [1, 2, 3, 4, 5]:
        lst = []
        rec = tuple([lst] + list(range(n - 1)))
        lst.append(rec)
        add('tuple', 'recursive-%d' % n, rec)
        add('tuple', 'recursive-%d-in-list' % n, [rec, lst])
    for n in [0, 1, 2, 999, 1000, 1001, 2000, 2001]:
        add('list', str(n), list(range(n)))
    shared = [1]
    add('list', 'shared', [shared, shared, [shared]])
    selfref = []
    selfref.append(selfref)
    add('list', 'recursive', selfref)
    for n in [0, 1, 2, 999, 1000, 1001, 2000, 2001]:
        add('dict', str(n), {i: str(i) for i in range(n)})
    d = {}
    d['self'] = d
    add('dict', 'recursive', d)
    add('dict', 'keys', {(1, 2): 1, frozenset([3]): 2, 'k': 3, b'b': 4, None: 5, True: 6, 1.5: 7})
    for n in [0, 1, 2, 999, 1000, 1001, 2000, 2001]:
        add('set', str(n), set(range(n)))
    for n in [0, 1, 2, 1000, 1001]:
        add('frozenset', str(n), frozenset(range(n)))
    add('frozenset', 'in-set', {frozenset([1, 2]), frozenset()})
    fs = frozenset([1])
    add('frozenset', 'shared', [fs, fs])
    add('frozenset', 'distinct-empties', [frozenset(), frozenset([1]) - frozenset([1])])
    for name, v in [('1+2j', 1 + 2j), ('neg-zero', complex(0.0, -0.0)), ('inf-nan', complex(float('inf'), float('nan')))]:
        add('complex', name, v)
    add('complex', 'shared', [1j, 1j, 2j])
    strings = ['s%d' % i for i in range(300)]
    add('memo', '300-long-binput', strings + strings[:5])
    strings = ['s%d' % i for i in range(70000)]
    add('memo', '70000', strings + strings[-3:])
    # Past its first thousand entries, Brine's memo takes each str it has not just met to be new, and checks at
    # the end of the dump (IdentityMemo.speculate); a str met again long after makes it write the value again.
    words = ['w%d' % i for i in range(30000)]
    add('memo', 'far-repeats', words + words[2000:2100] + words[:3])
    add('memo', 'near-repeats', [w for w in words[:5000] for _ in (0, 1)])
    leaves = ['leaf%d' % (i % 50) for i in range(20000)]
    add('memo', 'equal-strs-far-repeat', leaves + [leaves[3000], leaves[100]])
    add('memo', 'records-2000', [{'id': i, 'name': 'user%d' % i, 'email': 'user%d@example.org' % i}
                                 for i in range(2000)])
    add('frame', 'many-small', [str(i) * 7 for i in range(20000)])
    add('frame', 'big-in-middle', ['a', b'b' * 70000, 'c', 'd' * 70000, [1, 2], b'e' * 65536, 'tiny'])
    # Payloads past a frame of several sizes, the largest neither first nor last.
    add('frame', 'largest-in-middle', [b'p' * 70000, 'q' * 300000, b'r' * 100000, b's' * 66000, 't'])
    add('frame', 'exactly-target', ['x' * 65520, 'y'])
    add('frame', 'nested', [[i, str(i), (i, float(i))] for i in range(10000)])
    # Runs of numbers that cross frame and batch boundaries, with other items between runs: the writer saves
    # such runs in a loop of their own.
    add('frame', 'numbers', [i * 0.5 if i % 3 else (i * 7919) % 70000 - 1000 for i in range(30000)])
    add('frame', 'numbers-broken', [None if i % 4099 == 0 else 'x' if i % 5003 == 0 else 1 << (i % 40)
                                    for i in range(30000)])
    # Containers of numbers, bools, None and strs are written by a loop of their own; these mix them with
    # containers whose last item is not flat, shared and empty strs, and the one-item forms.
    key = ''.join(['na', 'me'])
    add('flat', 'records', [{'id': i, key: 'user%d' % i, 'score': i / 7, 'ok': i % 2 == 0, 'none': None, '': ''}
                            for i in range(50)])
    add('flat', 'last-not-flat', [{'a': 1, 'b': [2]}, (1, 'x', [3]), [1, 'y', (4,)], {'k': {'n': None}}])
    add('flat', 'one-item', [{'k': 'v'}, ['w'], ('t',), {1: 2.5}, [None], (True,)])
    add('flat', 'shared-strs', [[key, key, 'other'], (key, '', ''), {key: key}])
    deep = []
    cur = deep
    for _ in range(100):
        nxt = [{'k': (1,)}]
        cur.append(nxt)
        cur = nxt
    add('nesting', '100', deep)
    s = ''.join(['sha', 'red'])
    add('memo', 'shared-str', [s, s, ''.join(['sha', 'red']), {s: s}])
    add('mixed', 'all', [None, True, 1, 2 ** 70, 1.5, 1j, 'x', b'y', (), (1,), [], {}, set(), frozenset(), [t, t]])
    return cases


def expected_identical(group, name, protocol):
    """Whether this interpreter's C pickler is the one Brine reproduces (3.13's) for this case."""
    if V < (3, 7) and protocol == 0:
        return False  # 3.6 writes every int as LONG at protocol 0, and escapes fewer characters in UNICODE
    if V < (3, 7) and protocol == 4:
        return False  # 3.6 frames differently: it keeps frames under 4 bytes and frames large bytes and str
    if group == 'bytearray' and V < (3, 8) and protocol < 3:
        return False  # before 3.8: bytearray.__reduce_ex__ gives bytearray(str, 'latin-1')
    return True


def run_catalogue():
    for group, name, value in catalogue():
        for p in PROTOCOLS:
            emit('%s/%s' % (group, name), p, pickle.dumps(value, p), expected_identical(group, name, p))


# ----------------------------------------------------------------------------------------------- hypothesis

def run_hypothesis(seed, count):
    from hypothesis import given, settings, seed as hseed, strategies as st, HealthCheck

    hashable = st.recursive(
        st.none() | st.booleans() | st.integers() | st.integers(min_value=-2 ** 80, max_value=2 ** 80)
        | st.floats(allow_nan=False) | st.text(max_size=20) | st.binary(max_size=20)
        | st.complex_numbers(allow_nan=False),
        lambda inner: st.tuples(inner, inner) | st.lists(inner, max_size=4).map(tuple)
        | st.frozensets(inner, max_size=4),
        max_leaves=8)
    leaves = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-2 ** 300, max_value=2 ** 300)
              | st.floats() | st.text(max_size=40) | st.text(max_size=300) | st.binary(max_size=40)
              | st.binary(max_size=300).map(bytearray) | st.complex_numbers())

    def shared(x_n):
        x, n = x_n
        return [x] * n

    values = st.recursive(
        leaves | hashable,
        lambda inner: st.lists(inner, max_size=6)
        | st.tuples(inner) | st.tuples(inner, inner, inner, inner)
        | st.dictionaries(hashable, inner, max_size=5) | st.sets(hashable, max_size=5)
        | st.frozensets(hashable, max_size=5) | st.tuples(inner, st.integers(1, 3)).map(shared),
        max_leaves=40)

    out = []

    @hseed(seed)
    @settings(max_examples=count, derandomize=False, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(values)
    def collect(v):
        out.append(v)

    collect()
    for i, v in enumerate(out):
        for p in PROTOCOLS:
            emit('hypothesis-%d-%d' % (seed, i), p, pickle.dumps(v, p))


# ----------------------------------------------------------------------------------------------- objects

def object_cases():
    """name -> (value, check) for objects Brine keeps as inert nodes; check(loaded) -> bool."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import pickler_objects as po
    cases = {}
    for name, value in po.instances():
        cases['instance/' + name] = (value, lambda got, value=value: po.equal(got, value))
    for name, fn, args, result in po.functions():
        cases['function/' + name] = (fn, lambda got, args=args, result=result: got(*args) == result)
    for name, arr in po.arrays():
        cases['numpy/' + name] = (arr, lambda got, arr=arr: po.same_array(got, arr))
    return cases


def dumps_object(name, value, protocol):
    if name.startswith('function/'):
        import cloudpickle
        return cloudpickle.dumps(value, protocol=protocol)
    return pickle.dumps(value, protocol)


def run_objects():
    for name, (value, _) in sorted(object_cases().items()):
        for p in PROTOCOLS:
            try:
                data = dumps_object(name, value, p)
            except Exception:  # some objects need a higher protocol
                continue
            emit(name, p, data)


def check_objects():
    """Loads each Brine-written pickle and checks it is the original object (functions are called)."""
    cases = object_cases()
    bad = 0
    for line in sys.stdin:
        name, p, data = line.rstrip('\n').split('\t')
        try:
            ok = cases[name][1](pickle.loads(bytes.fromhex(data)))
        except Exception as e:  # report, do not stop
            ok = False
            print('ERROR %s %s: %r' % (name, p, e))
        if not ok:
            bad += 1
            print('MISMATCH %s protocol %s' % (name, p))
    print('checked, %d bad' % bad)


# ----------------------------------------------------------------------------------------------- check-java

def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if type(a).__name__ == 'array':
        return a.typecode == b.typecode and a.tolist() == b.tolist()
    if type(a).__name__ in ('datetime', 'time'):
        return a == b and a.tzinfo == b.tzinfo and a.fold == b.fold and a.utcoffset() == b.utcoffset()
    return a == b


def check_java():
    """Each line: name, protocol, Brine's pickle, the Python expression it must load as."""
    import array, datetime, decimal, uuid  # noqa: F401 (used by the expressions)
    try:
        import zoneinfo  # noqa: F401
    except ImportError:
        zoneinfo = None
    bad = 0
    identical = 0
    for line in sys.stdin:
        name, p, data, expr = line.rstrip('\n').split('\t')
        p = int(p)
        if p > pickle.HIGHEST_PROTOCOL or ('zoneinfo' in expr and zoneinfo is None):
            print('SKIP %s %d' % (name, p))
            continue
        data = bytes.fromhex(data)
        got = None
        try:
            expected = eval(expr)
            got = pickle.loads(data)
            ok = same(got, expected)
            if ok and pickle.dumps(expected, p) == data:
                identical += 1
                print('IDENTICAL %s %d' % (name, p))
            elif ok:
                print('LOADS-EQUAL-BYTES-DIFFER %s %d' % (name, p))
        except Exception as e:
            ok = False
            print('ERROR %s %d: %r' % (name, p, e))
        if not ok:
            bad += 1
            print('MISMATCH %s %d: got %r' % (name, p, got))
    print('checked, %d bad, %d identical' % (bad, identical))


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'catalogue':
        run_catalogue()
    elif mode == 'hypothesis':
        run_hypothesis(int(sys.argv[2]), int(sys.argv[3]))
    elif mode == 'objects':
        run_objects()
    elif mode == 'check-objects':
        check_objects()
    elif mode == 'check-java':
        check_java()
    else:
        raise SystemExit('unknown mode ' + mode)
