"""Checks pickles Brine wrote for Java objects registered as Python classes: dev.brine.register.RegisterTest.

python3 register_check.py DIR
    DIR holds CASE.PROTOCOL.pkl files written by Brine's Pickler with register(...) mapping Java classes to the
    classes below (module __main__). Each is loaded with the stock pickle.load; the script checks that every object
    is an instance of exactly the registered class (type(obj) is Cls) with the expected field values, sharing and
    cycles, then prints "CASE  PROTOCOL  HEX": pickle.dumps of the equivalent Python object at that protocol, which
    the Java test compares with Brine's bytes. Exits non-zero on the first mismatch.
"""
import dataclasses
import os
import pickle
import sys
import typing


class Point:
    """A plain class: Java's record Point(int x, int y)."""
    def __init__(self, x, y):
        self.x = x
        self.y = y


@dataclasses.dataclass
class Person:
    """A dataclass: Java's bean Person."""
    name: str
    age: int
    tags: list
    home: Point
    score: float
    nickname: typing.Optional[str]


class Empty:
    """A class whose Java twin has no fields."""


class Node:
    """A plain class whose instances may reference themselves."""
    def __init__(self, name, next):
        self.name = name
        self.next = next


def expected(case):
    if case == 'point':
        return Point(3, -4)
    if case == 'person':
        return Person('Ada', 36, ['math', 'engines'], Point(1, 2), 1.5, None)
    if case == 'people':
        ada = Person('Ada', 36, ['math', 'engines'], Point(1, 2), 1.5, None)
        bob = Person('Bob', 7, [], Point(0, 0), -0.25, 'bobby')
        return [ada, ada, bob, {'origin': Point(0, 0), 'points': [Point(1, 1), Point(2, 2)]}]
    if case == 'empty':
        return Empty()
    if case == 'cycle':
        n = Node('loop', None)
        n.next = n
        return n
    raise ValueError(case)


def same(a, b, path, seen):
    """a (loaded from Brine's bytes) equals b (built here): same types exactly, fields, sharing and cycles."""
    if type(a) is not type(b):
        raise AssertionError('%s: %r is a %s, not a %s' % (path, a, type(a).__qualname__, type(b).__qualname__))
    key = (id(a), id(b))
    if key in seen:
        return
    if isinstance(a, (Point, Person, Empty, Node)):
        seen.add(key)
        if list(vars(a)) != list(vars(b)):
            raise AssertionError('%s: fields %s, expected %s' % (path, list(vars(a)), list(vars(b))))
        for k in vars(b):
            same(vars(a)[k], vars(b)[k], path + '.' + k, seen)
    elif type(a) is list:
        if len(a) != len(b):
            raise AssertionError('%s: %d items, expected %d' % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, '%s[%d]' % (path, i), seen)
    elif type(a) is dict:
        if list(a) != list(b):
            raise AssertionError('%s: keys %s, expected %s' % (path, list(a), list(b)))
        for k in b:
            same(a[k], b[k], '%s[%r]' % (path, k), seen)
    elif a != b:
        raise AssertionError('%s: %r, expected %r' % (path, a, b))


def check_identity(case, obj):
    if case == 'people' and obj[0] is not obj[1]:
        raise AssertionError('people: the shared Person is two objects')
    if case == 'cycle' and obj.next is not obj:
        raise AssertionError('cycle: node.next is not the node')


def main(directory):
    for file in sorted(os.listdir(directory)):
        case, protocol, _ = file.split('.')
        with open(os.path.join(directory, file), 'rb') as f:
            obj = pickle.load(f)
        want = expected(case)
        same(obj, want, '%s p%s' % (case, protocol), set())
        check_identity(case, obj)
        print('%s\t%s\t%s' % (case, protocol, pickle.dumps(want, int(protocol)).hex()))


if __name__ == '__main__':
    main(sys.argv[1])
