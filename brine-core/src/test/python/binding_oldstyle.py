"""Old-style class instances, which Python 2 pickles with INST (protocol 0) and OBJ (protocol 1 and 2).

BindingTest binds them to a Java record and bean. Prints name, protocol and hex pickle, tab-separated, as
binding_cases.py does. Runs on CPython 2.7 only: Python 3 has no old-style classes.
"""
import binascii
import pickle
import sys
import types

geometry = types.ModuleType('geometry')
sys.modules['geometry'] = geometry


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


Point.__module__ = 'geometry'
geometry.Point = Point


class Old:
    def __init__(self, a, b):
        self.a = a
        self.b = b

    def __getinitargs__(self):
        # With __getinitargs__, INST and OBJ carry these as arguments to the class call.
        return (self.a, self.b)


Old.__module__ = 'geometry'
geometry.Old = Old

lines = []
for protocol in range(0, 3):
    lines.append('%s\t%d\t%s' % ('oldstyle_point', protocol,
                                 binascii.hexlify(pickle.dumps([Point(1, 2), Point(3, 4)], protocol))))
    lines.append('%s\t%d\t%s' % ('oldstyle_args', protocol, binascii.hexlify(pickle.dumps(Old(5, 'five'), protocol))))
sys.stdout.write('\n'.join(lines) + '\n')
