"""Objects Brine holds as inert nodes, for the writer's lossless round-trip tests (see pickler_cases.py).

They live in an importable module so that their pickles name them, as real applications' pickles do.
"""
import collections
import copyreg
import datetime
import decimal
import enum
import fractions
import functools
import uuid


class Plain:
    def __init__(self, a, b):
        self.a = a
        self.b = b

    def __eq__(self, other):
        return type(other) is type(self) and self.__dict__ == other.__dict__


class Slots:
    __slots__ = ('x', 'y')

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __getstate__(self):
        return (None, {'x': self.x, 'y': self.y})

    def __setstate__(self, state):
        for k, v in state[1].items():
            object.__setattr__(self, k, v)

    def __eq__(self, other):
        return type(other) is type(self) and (self.x, self.y) == (other.x, other.y)


class KeywordOnly:
    """Pickled with NEWOBJ_EX at protocol 4+ (copyreg.__newobj_ex__ or functools.partial below)."""

    def __new__(cls, *, key):
        obj = object.__new__(cls)
        obj.key = key
        return obj

    def __getnewargs_ex__(self):
        return (), {'key': self.key}

    def __eq__(self, other):
        return type(other) is type(self) and self.key == other.key


class WithReduce:
    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        return WithReduce, (self.value,), {'value': self.value, 'extra': 1}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __eq__(self, other):
        return type(other) is type(self) and self.value == other.value


def restore(obj, state):
    obj.__dict__.update(state)
    obj.restored = True


class WithStateSetter:
    """The protocol 5 state-setter form: REDUCE of restore(obj, state), then POP."""

    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        return WithStateSetter, (0,), {'value': self.value}, None, None, restore

    def __eq__(self, other):
        # Called as loaded == original: the loaded one must have been through restore().
        return type(other) is type(self) and self.value == other.value and getattr(self, 'restored', False)


class Tagged(list):
    def __eq__(self, other):
        return type(other) is type(self) and list(self) == list(other) and self.__dict__ == other.__dict__


class Registry(dict):
    def __eq__(self, other):
        return type(other) is type(self) and dict(self) == dict(other)


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Node:
    """A cycle through state: a node whose children point back at it."""

    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent
        self.children = []

    def __eq__(self, other):
        return (type(other) is type(self) and self.name == other.name and len(self.children) == len(other.children)
                and all(c.parent is other for c in other.children))


def equal(got, want):
    if isinstance(want, functools.partial):
        return (type(got) is type(want) and got.func is want.func and got.args == want.args
                and got.keywords == want.keywords)
    return type(got) is type(want) and got == want


def instances():
    p = Plain(1, 'x')
    shared = [1, 2]
    tagged = Tagged([1, 2, 3])
    tagged.tag = 'label'
    root = Node('root')
    root.children = [Node('a', root), Node('b', root)]
    many = [Plain(i, str(i)) for i in range(1500)]
    return [
        ('plain', p),
        ('plain-nested', Plain(p, shared)),
        ('shared', [p, p, Plain(shared, shared)]),
        ('slots', Slots(1, shared)),
        ('newobj-ex', KeywordOnly(key=shared)),
        ('reduce-setstate', WithReduce([3])),
        ('state-setter', WithStateSetter(7)),
        ('list-subclass', tagged),
        ('dict-subclass', Registry(a=1, b=[2])),
        ('enum', [Color.RED, Color.GREEN, Color.RED]),
        ('cycle', root),
        ('ordered-dict', collections.OrderedDict([('a', 1), ('b', 2)])),
        ('deque', collections.deque([1, 2, 3], maxlen=5)),
        ('counter', collections.Counter('abracadabra')),
        ('defaultdict', collections.defaultdict(list, {1: [2]})),
        ('namedtuple-free', (datetime.date(2020, 1, 2), datetime.timedelta(seconds=5))),
        ('datetime', datetime.datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)),
        ('decimal', decimal.Decimal('-1.50E+3')),
        ('uuid', uuid.UUID(int=12345678901234567890)),
        ('fraction', fractions.Fraction(1, 3)),
        ('partial', functools.partial(max, 1, key=abs)),
        ('builtins', [range(5), slice(1, 2), Ellipsis, NotImplemented, type(None), int, len]),
        ('many', many),
    ]


def _make_adder(k):
    def add(x, y=2, *rest, z=1, **kw):
        """Adds things."""
        return x * k + y + z + len(rest) + len(kw)
    return add


class Counter:
    def __init__(self, start):
        self.n = start

    def bump(self, by):
        self.n += by
        return self.n


def functions():
    """(name, function, args, result); pickled with cloudpickle, so they are rebuilt from code."""
    square = lambda x: x * x  # noqa: E731
    local_cls = type('Local', (), {'twice': lambda self, v: 2 * v})
    return [
        ('lambda', square, (7,), 49),
        ('closure', _make_adder(3), (2,), 9),
        ('closure-kw', _make_adder(5), (1, 1, 9, 9), 9),
        ('nested-calls', lambda n: sum(square(i) for i in range(n)), (4,), 14),
        ('local-class', lambda v: local_cls().twice(v), (21,), 42),
        ('method', Counter(10).bump, (5,), 15),
    ]


def arrays():
    import numpy as np
    return [
        ('arange', np.arange(10)),
        ('float32-2d', np.zeros((3, 4), dtype=np.float32)),
        ('strings', np.array(['a', 'bc'])),
        ('complex', np.array([1 + 2j])),
        ('large', np.arange(100000.0)),
        ('scalar-int', np.int64(5)),
        ('scalar-float', np.float64(2.5)),
        ('structured', np.array([(1, 2.0)], dtype=[('a', 'i4'), ('b', 'f8')])),
        ('fortran', np.asfortranarray(np.arange(6).reshape(2, 3))),
        ('empty', np.array([], dtype=np.int8)),
        ('objects', np.array([None, 'x', 1], dtype=object)),
    ]


def same_array(got, want):
    import numpy as np
    if type(got) is not type(want):
        return False
    if isinstance(want, np.ndarray):
        return got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)
    return got == want
