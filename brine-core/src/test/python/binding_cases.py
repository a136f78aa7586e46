"""Pickles of Python objects that BindingTest binds to Java records, enums and beans.

Prints one line per case and protocol: name, protocol and the pickle in hex, tab-separated. The classes live in a
module named 'geometry' made at run time, so the pickles name 'geometry.Point' and so on. Runs on CPython 3.6+
(dataclasses from 3.7; a plain class with the same state stands in on 3.6).
"""
import collections
import enum
import pickle
import sys
import types

geometry = types.ModuleType('geometry')
sys.modules['geometry'] = geometry


def register(cls):
    cls.__module__ = 'geometry'
    setattr(geometry, cls.__name__, cls)
    return cls


if sys.version_info >= (3, 7):
    import dataclasses

    @register
    @dataclasses.dataclass
    class Point:
        x: int
        y: int

    @register
    @dataclasses.dataclass
    class Line:
        start: Point
        end: Point
        label: str
else:
    @register
    class Point(object):
        def __init__(self, x, y):
            self.x = x
            self.y = y

    @register
    class Line(object):
        def __init__(self, start, end, label):
            self.start = start
            self.end = end
            self.label = label


if sys.version_info >= (3, 10):
    @register
    @dataclasses.dataclass(frozen=True, slots=True)
    class Frozen:
        x: int
        y: int


@register
class Color(enum.Enum):
    RED = 1
    GREEN = 2


@register
class Mood(enum.Enum):
    HAPPY = 'HAPPY'
    SAD = 'SAD'


@register
class Polygon(object):
    """A plain class: its __dict__ is its state."""

    def __init__(self, name, points, tags, color):
        self.name = name
        self.points = points
        self.tags = tags
        self.color = color


@register
class Slotted(object):
    __slots__ = ('a', 'b')

    def __init__(self, a, b):
        self.a = a
        self.b = b


@register
class Mixed(object):
    """__slots__ and a __dict__: the state is (dict, slots)."""
    __slots__ = ('a', '__dict__')

    def __init__(self, a, b):
        self.a = a
        self.b = b


NT = register(collections.namedtuple('NT', 'a b'))


@register
class TreeNode(object):
    def __init__(self, name):
        self.name = name
        self.parent = None
        self.children = []


@register
class Numbers(object):
    def __init__(self):
        self.i = -5
        self.s = 300
        self.b = -100
        self.l = 2 ** 62
        self.big = 2 ** 70
        self.f = 1.5
        self.d = 3
        self.c = 'x'
        self.flag = True
        self.maybe = None
        self.present = 'here'
        self.ints = [1, 2, 3]
        self.tup = (4, 5)
        self.names = {'b', 'a'}
        self.frozen = frozenset([7])
        self.nested = [[Point(1, 2)], [Point(3, 4), Point(5, 6)]]
        self.by_name = {'origin': Point(0, 0)}
        self.first_name = 'Ada'


@register
class Bad(object):
    """Bound to Point in the error cases: its fields are given in the test."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


@register
class Custom(object):
    def __init__(self):
        self.x = 1

    def __getstate__(self):
        return ['not', 'a', 'dict']

    def __setstate__(self, state):
        pass


@register
class Keywords(object):
    """Made by cls.__new__(cls, *args, **kwargs): NEWOBJ_EX from protocol 4."""

    def __new__(cls, x, y):
        return object.__new__(cls)

    def __getnewargs_ex__(self):
        return (1,), {'y': 2}

    def __getstate__(self):
        return None


@register
class Link(object):
    def __init__(self, value, next):
        self.value = value
        self.next = next


@register
class Holder(object):
    """Two fields holding one list, two holding one dict: a bound Java object must share them too."""

    def __init__(self, a, b, c, d):
        self.a = a
        self.b = b
        self.c = c
        self.d = d


@register
class Peer(object):
    def __init__(self, name):
        self.name = name
        self.peers = []


def peers():
    g = Peer('g')
    h = Peer('h')
    g.peers.extend([g, h])
    # One list in two objects, holding both: a cycle through a converted List<Peer>.
    h.peers = g.peers
    return g


def cases():
    p = Point(1, 2)
    yield 'point', p, 0
    yield 'line', Line(Point(0, 0), Point(3, 4), 'diagonal'), 0
    yield 'shared', [p, p, Line(p, p, 'dot')], 0
    yield 'polygon', Polygon('tri', [Point(0, 0), Point(1, 0), Point(0, 1)], {'apex': Point(0, 1)}, Color.GREEN), 0
    yield 'color', [Color.RED, Color.GREEN, Color.RED], 0
    yield 'mood', (Mood.SAD, Mood.HAPPY), 0
    # __slots__ without __getstate__ pickles only from protocol 2 (copyreg._reduce_ex refuses it below).
    if sys.version_info >= (3, 10):
        # Its __getstate__ gives the field values as a list.
        yield 'frozen_slots', Frozen(7, 8), 2
    yield 'keywords', Keywords(1, 2), 4
    yield 'slotted', Slotted(1, 'one'), 2
    yield 'mixed', Mixed(1, 'one'), 2
    yield 'namedtuple', [NT(1, 'x'), NT(2, 'y')], 0
    root = TreeNode('root')
    for name in ('a', 'b'):
        child = TreeNode(name)
        child.parent = root
        root.children.append(child)
    root.parent = root
    yield 'tree', root, 0
    yield 'numbers', Numbers(), 0
    yield 'in_containers', {'key': (p, [p]), 'set': {Color.RED}}, 0
    yield 'bad_type', Bad(x='a', y=2), 0
    yield 'bad_missing', Bad(x=1), 0
    yield 'bad_extra', Bad(x=1, y=2, z=3), 0
    yield 'bad_range', Bad(x=2 ** 40, y=0), 0
    yield 'bad_state', Custom(), 0
    yield 'bad_enum', Color.GREEN, 0
    loop = Link(1, None)
    loop.next = loop
    yield 'record_cycle', loop, 0
    yield 'chain', Link(1, Link(2, Link(3, None))), 0
    pts = [Point(1, 2), Point(3, 4)]
    tags = {'p': pts[0]}
    yield 'shared_containers', Holder(pts, pts, tags, tags), 0
    yield 'peers', peers(), 0


def main():
    out = []
    for name, value, lowest in cases():
        for protocol in range(lowest, pickle.HIGHEST_PROTOCOL + 1):
            out.append('%s\t%d\t%s' % (name, protocol, pickle.dumps(value, protocol).hex()))
    sys.stdout.write('\n'.join(out) + '\n')


main()
