# Loads each (original, rewrite) pair of joblib files named on stdin with joblib and prints one line per pair:
# "same" when the two hold equal values (arrays: dtype, shape, memory order and items; objects: their state),
# else "different" and where.
import sys

import joblib
import numpy as np


def same(a, b, path):
    if type(a) is not type(b):
        return path + ': %s vs %s' % (type(a).__name__, type(b).__name__)
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape or a.flags.f_contiguous != b.flags.f_contiguous:
            return path + ': %s %s vs %s %s' % (a.dtype, a.shape, b.dtype, b.shape)
        if a.dtype.hasobject:
            for i, (x, y) in enumerate(zip(a.ravel(), b.ravel())):
                d = same(x, y, path + '[%d]' % i)
                if d:
                    return d
            return None
        return None if a.tobytes() == b.tobytes() else path + ': items differ'
    if isinstance(a, dict):
        if list(a) != list(b):
            return path + ': keys %r vs %r' % (list(a), list(b))
        for k in a:
            d = same(a[k], b[k], path + '[%r]' % (k,))
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return path + ': lengths differ'
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, path + '[%d]' % i)
            if d:
                return d
        return None
    if isinstance(a, (int, float, str, bytes, bool, type(None), type)) or callable(a) and isinstance(a, type):
        return None if a == b or a != a and b != b else path + ': %r vs %r' % (a, b)
    if hasattr(a, '__dict__') and vars(a):
        return same(vars(a), vars(b), path)
    if a is b:
        return None  # functions, classes and other globals load as the same object
    try:
        reduced_a, reduced_b = a.__reduce_ex__(2), b.__reduce_ex__(2)
    except TypeError:
        return None if a == b else path + ': %r vs %r' % (a, b)
    return same(tuple(reduced_a[1:3]), tuple(reduced_b[1:3]), path + '.__reduce__')


for line in sys.stdin.read().split('\n'):
    if line:
        original, rewrite = line.split('\t')
        d = same(joblib.load(original), joblib.load(rewrite), '$')
        print('same' if d is None else 'different ' + d)
