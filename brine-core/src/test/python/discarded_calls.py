"""Streams whose calls discard their results, for dev.brine.pickler.DiscardedCallsTest (issue #20 part 1).

python discarded_calls.py emit dill|cloudpickle
    Pickles every case with the library at protocols 2 to 5 and prints tab-separated lines
      PICKLE  library-version  case  protocol  hex  text
    where text is check(case, loaded), loaded being what the library itself loads from its own bytes.
python discarded_calls.py call dill|cloudpickle
    Reads "case  protocol  hex" lines (pickles Brine rewrote) on stdin, loads each with the library imported
    (pickle.loads; dill.loads for dill) and prints "case  protocol  text", text being check(case, loaded).
python discarded_calls.py compare
    Reads "case  protocol  original-hex  rewrite-hex" lines and prints "case  protocol  verdict": main-global when
    they differ only by dill's raw GLOBAL '__builtin__ __main__' (see shape()), else other.
python discarded_calls.py minimal
    Hand-made streams that CPython's pickle.py writes (see AfterPickler below), each with calls whose results the
    stream discards; prints "PICKLE  minimal  case  protocol  hex  -".
"""
import dataclasses
import enum
import functools
import pickle
import sys

SCALE = 10


def canon(v):
    if v is None or type(v) in (bool, int, float, str):
        return repr(v)
    if type(v) in (tuple, list):
        return type(v).__name__ + '[' + ', '.join(canon(x) for x in v) + ']'
    if type(v) is dict:
        return '{' + ', '.join(canon(k) + ': ' + canon(x) for k, x in v.items()) + '}'
    return '<' + type(v).__name__ + '>'


# ---- the cases live in __main__, so dill and cloudpickle pickle them by value ----

def function(a, b=2, *args, c=3, **kw):
    "adds things"
    return (a + b + c) * SCALE + len(args) + len(kw)


def annotated(x: int, *, y: str = 'k') -> str:
    """has annotations"""
    return str(x) + y


lam = lambda x, y=5: x * y + SCALE  # noqa: E731


def make_adder(n, k):
    def add(x):
        return x + n * k
    return add


def make_counter():
    count = [0]

    def step():
        count[0] += 1
        return count[0]
    return step


def make_fact():
    def fact(n):
        return 1 if n <= 1 else n * fact(n - 1)
    return fact


def nested(x):
    def helper(y):
        return y * 2
    return helper(x) + 1


class Base:
    def __init__(self, v):
        self.v = v

    def twice(self):
        return self.v * 2


class Child(Base):
    __slots__ = ()

    def twice(self):
        return super().twice() + 1

    @property
    def prop(self):
        return self.v + 100

    @classmethod
    def make(cls, v):
        return cls(v)

    @staticmethod
    def static(a):
        return a * 3


class Slotted:
    __slots__ = ('a', 'b')

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def total(self):
        return self.a + self.b


class Color(enum.Enum):
    RED = 1
    GREEN = 2

    def describe(self):
        return self.name.lower() + str(self.value)


@dataclasses.dataclass
class Pair:
    x: int
    y: int = 4

    def total(self):
        return self.x + self.y


def cases():
    adder = make_adder(3, 4)
    return {
        'function': function,
        'annotated': annotated,
        'lambda': lam,
        'closure': adder,
        'closure_cell_list': make_counter(),
        'recursive_closure': make_fact(),
        'nested': nested,
        'class_child': Child,
        'instance_child': Child(7),
        'slots': Slotted,
        'slots_instance': Slotted(1, 2),
        'enum': Color,
        'enum_member': Color.GREEN,
        'dataclass': Pair,
        'dataclass_instance': Pair(2),
        'partial': functools.partial(function, 1, c=5),
        'bound_method': Base(6).twice,
        'list_of_functions': [function, adder, lam, make_fact()],
        'dict_of_functions': {'f': function, 'g': make_adder(1, 1), 'cls': Child},
        'tuple_of_closures': (make_adder(1, 2), make_adder(2, 3), make_fact()),
    }


def check(name, v):
    try:
        if name == 'function':
            return canon([v(1), v(1, 2, 3, 4, c=1, z=2), v.__doc__, v.__defaults__, v.__kwdefaults__])
        if name == 'annotated':
            return canon([v(3), v(3, y='z'), v.__doc__, sorted(v.__annotations__)])
        if name == 'lambda':
            return canon([v(2), v(2, 3)])
        if name == 'closure':
            return canon([v(1), v(10)])
        if name == 'closure_cell_list':
            return canon([v(), v(), v()])
        if name == 'recursive_closure':
            return canon([v(5), v(1)])
        if name == 'nested':
            return canon([v(4)])
        if name == 'class_child':
            o = v.make(5)
            return canon([o.twice(), o.prop, v.static(2), v.__name__, [c.__name__ for c in v.__mro__]])
        if name == 'instance_child':
            return canon([v.twice(), v.prop, v.static(3), v.v])
        if name == 'slots':
            return canon([v(3, 4).total(), list(v.__slots__)])
        if name == 'slots_instance':
            return canon([v.total(), v.a])
        if name == 'enum':
            return canon([[m.name for m in v], v(2).describe(), v['RED'].value])
        if name == 'enum_member':
            return canon([v.name, v.value, v.describe()])
        if name == 'dataclass':
            return canon([v(1).total(), v(1, 2).total(), repr(v(1)), [f.name for f in dataclasses.fields(v)]])
        if name == 'dataclass_instance':
            return canon([v.total(), repr(v)])
        if name == 'partial':
            return canon([v(), v(4), v.args, sorted(v.keywords)])
        if name == 'bound_method':
            return canon([v()])
        if name == 'list_of_functions':
            return canon([v[0](2), v[1](2), v[2](2), v[3](4)])
        if name == 'dict_of_functions':
            return canon([v['f'](3), v['g'](3), v['cls'](2).twice()])
        if name == 'tuple_of_closures':
            return canon([v[0](1), v[1](1), v[2](3)])
    except Exception as e:  # the Java side compares text: a failure shows as its exception
        return 'error ' + type(e).__name__ + ': ' + str(e)
    return 'unknown case ' + name


def library(name):
    if name == 'dill':
        import dill
        return dill, dill.__version__
    import cloudpickle
    return cloudpickle, cloudpickle.__version__


# ---- minimal streams, written by CPython's pickle.py ----
# Two ways a stream discards a call's result:
#  - save_reduce's state-setter form, for a 6-item __reduce__: setter(obj, state) REDUCE POP (Holder);
#  - an After(value, func, args) marker, which AfterPickler saves as value, then pickle.py's own
#    save_reduce(func, args) with no obj (so no memo entry), then POP: a call run only for its side effect, right
#    after the value it follows, as dill's _setattr(cell, 'cell_contents', x) follows the function.

def keep_state(obj, state):
    obj.state = state


NOTES = []


def note(*args):
    NOTES.append(args)


class Holder:
    def __init__(self, state=None):
        self.state = state

    def __reduce__(self):
        return Holder, (), self.state, None, None, keep_state


class Node:
    def __init__(self, tag):
        self.tag = tag


class After:
    def __init__(self, value, func, args):
        self.value, self.func, self.args = value, func, args


class Lead:
    """A call run for its side effect (then POP) right before value: inside a MARK, it has nothing under it."""
    def __init__(self, func, args, value):
        self.func, self.args, self.value = func, args, value


class AfterPickler(pickle._Pickler):
    def save(self, obj, save_persistent_id=True):
        if type(obj) is Lead:
            self.save_reduce(obj.func, obj.args)
            self.write(pickle.POP)
            self.save(obj.value)
            return
        if type(obj) is After:
            self.save(obj.value)
            self.save_reduce(obj.func, obj.args)
            self.write(pickle.POP)
            return
        super().save(obj, save_persistent_id)


def after_dumps(obj, proto):
    import io
    f = io.BytesIO()
    AfterPickler(f, proto).dump(obj)
    return f.getvalue()


def minimal():
    shared = ['shared']
    setters = {
        'setter_top_level': Holder({'k': 1}),
        'setter_in_list': [1, Holder(2), 3, Holder([4]), 5],
        'setter_in_dict': {'a': Holder('x'), 'b': 2, 'c': Holder('y')},
        'setter_in_tuple': (Holder(1), 2, Holder(3), 4),
    }
    shared2 = ['shared', 2]
    again = 'again and again'
    afters = {
        'call_top_level': After(Node('t'), note, ('top',)),
        'call_in_list': [1, After(Node('a'), note, ('a', 1)), 3, After(Node('b'), note, ('b',)), 5],
        'call_in_dict': {'a': After(Node('a'), note, ('x',)), 'b': 2, 'c': After(Node('c'), note, ())},
        'call_in_tuple': (After(Node(1), note, (1,)), 2, After(Node(3), note, (3,)), 4),
        'call_argument_shared': [After(Node('s'), note, (shared2,)), shared2, {'again': shared2}],
        'calls_in_a_row': [After(After(Node('r'), note, (1,)), note, (2,)), 'end'],
        # Above a value that is not a node: kept after that value (its creation, or its n-th memo fetch).
        'call_after_string': ['x', After('label', note, ('s',)), 'y'],
        'call_after_global': [After(len, note, ('g',)), len, After(len, note, ('g2',))],
        'call_after_list': [After([1, 2], note, ('l',)), 'z'],
        'call_after_dict': After({'k': 1}, note, ('d',)),
        'call_after_fetch': [again, After(again, note, ('second',)), again, After(again, note, ('third',))],
    }
    # Calls with no value of their own under them: Brine keeps them but refuses to write them back.
    refused = {
        'refused_after_mark': [Lead(note, ('m',), 1), 2],
        'refused_after_none': [After(None, note, ('n',)), 'w'],
    }
    for proto in range(2, 6):
        for case, obj in setters.items():
            print('\t'.join(['PICKLE', 'minimal', case, str(proto), pickle.dumps(obj, proto).hex(), '-']))
        for case, obj in list(afters.items()) + list(refused.items()):
            print('\t'.join(['PICKLE', 'minimal', case, str(proto), after_dumps(obj, proto).hex(), '-']))
        # POP_MARK: pickle.py writes MARK items POP_MARK GET for a tuple that its own items reach (save_tuple),
        # so the discarded call inside the MARK goes with the rest of the items.
        h = Node('loop')
        t = (After(h, note, ('in',)), 2, 3, 4)
        h.tuple = t
        print('\t'.join(['PICKLE', 'minimal', 'call_pop_mark', str(proto), after_dumps(t, proto).hex(), '-']))


def shape(p):
    """The opcodes of a pickle without memo bookkeeping (PUT/MEMOIZE dropped, GET indices and FRAME sizes
    ignored), and dill's raw, unmemoized GLOBAL '__builtin__ __main__' (its save_module_dict writes the bytes
    itself, even at protocol 4) shown as MAIN, as is the memoized STACK_GLOBAL or GET a rewrite has there."""
    import pickletools
    ops = [(op.name, arg) for op, arg, _ in pickletools.genops(p)]
    out = []
    i = 0
    while i < len(ops):
        name, arg = ops[i]
        if name in ('PUT', 'BINPUT', 'LONG_BINPUT', 'MEMOIZE', 'FRAME'):
            i += 1
            continue
        if name == 'GLOBAL' and arg == '__builtin__ __main__':
            out.append(('MAIN', None))
        elif (name == 'SHORT_BINUNICODE' and arg == '__builtin__' and i + 4 < len(ops)
              and ops[i + 2] == ('SHORT_BINUNICODE', '__main__') and ops[i + 4][0] == 'STACK_GLOBAL'):
            out.append(('MAIN', None))
            i += 5
            continue
        elif name in ('GET', 'BINGET', 'LONG_BINGET'):
            out.append(('GET', None))
        else:
            out.append((name, arg))
        i += 1
    return out


def compare(original, rewrite):
    """'main-global' when the two differ only where the original has dill's raw GLOBAL '__builtin__ __main__'
    and the rewrite that global memoized (or fetched from the memo), else 'other'."""
    a, b = shape(original), shape(rewrite)
    if len(a) != len(b):
        return 'other'
    for x, y in zip(a, b):
        if x != y and not (x == ('MAIN', None) and y == ('GET', None)):
            return 'other'
    return 'main-global'


def main():
    mode = sys.argv[1]
    if mode == 'minimal':
        minimal()
        return
    if mode == 'compare':
        for line in sys.stdin:
            if line.strip():
                name, proto, a, b = line.rstrip('\n').split('\t')
                print('\t'.join([name, proto, compare(bytes.fromhex(a), bytes.fromhex(b))]))
        return
    lib, version = library(sys.argv[2])
    if mode == 'emit':
        for name, obj in cases().items():
            for proto in range(2, 6):
                p = lib.dumps(obj, protocol=proto)
                # What the library's own load of its own bytes computes (cloudpickle 2.x loses dataclass fields).
                # dill 0.3.6 cannot load its own enum classes on 3.11: both sides then report the same error.
                try:
                    again = check(name, lib.loads(p))
                except Exception as e:
                    again = 'error ' + type(e).__name__ + ': ' + str(e)
                print('\t'.join(['PICKLE', sys.argv[2] + '-' + version, name, str(proto), p.hex(), again]))
    elif mode == 'call':
        for line in sys.stdin:
            if not line.strip():
                continue
            name, proto, hx = line.rstrip('\n').split('\t')
            try:
                v = lib.loads(bytes.fromhex(hx)) if sys.argv[2] == 'dill' else pickle.loads(bytes.fromhex(hx))
                text = check(name, v)
            except Exception as e:
                text = 'error ' + type(e).__name__ + ': ' + str(e)
            print('\t'.join([name, proto, text]))


if __name__ == '__main__':
    main()
