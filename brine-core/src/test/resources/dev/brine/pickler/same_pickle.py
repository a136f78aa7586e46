# Loads each (original, rewrite) pair of pickle files named on stdin with the real libraries and prints one line
# per pair: "same" when the two hold equal values (pandas: equals() and dtypes; sparse: format, dtype and items;
# arrays: dtype, shape, order and items; other objects: their reduced state), else "different" and where.
import array
import pickle
import sys

import numpy as np
import pandas as pd
import scipy.sparse as sp


def same(a, b, path):
    if type(a) is not type(b):
        return path + ': %s vs %s' % (type(a).__name__, type(b).__name__)
    if isinstance(a, (pd.DataFrame, pd.Series)):
        if not a.equals(b):
            return path + ': frames differ'
        da = a.dtypes if isinstance(a, pd.DataFrame) else pd.Series([a.dtype])
        db = b.dtypes if isinstance(b, pd.DataFrame) else pd.Series([b.dtype])
        if list(map(str, da)) != list(map(str, db)) or not a.index.equals(b.index) or \
                type(a.index) is not type(b.index):
            return path + ': dtypes or index differ'
        return None
    if isinstance(a, pd.Index):
        return None if a.equals(b) and a.dtype == b.dtype else path + ': index differs'
    if sp.issparse(a):
        if a.format != b.format or a.dtype != b.dtype or a.shape != b.shape or (a != b).nnz != 0:
            return path + ': sparse matrices differ'
        return None
    if isinstance(a, np.ma.MaskedArray):
        d = same(np.asarray(a.data), np.asarray(b.data), path + '.data')
        return d or same(np.ma.getmaskarray(a), np.ma.getmaskarray(b), path + '.mask')
    if isinstance(a, np.ndarray):
        if a.dtype != b.dtype or a.shape != b.shape or a.flags.f_contiguous != b.flags.f_contiguous:
            return path + ': %s %s vs %s %s' % (a.dtype, a.shape, b.dtype, b.shape)
        if a.dtype.hasobject:
            return same(a.ravel().tolist(), b.ravel().tolist(), path)
        return None if a.tobytes() == b.tobytes() else path + ': items differ'
    if isinstance(a, array.array):
        return None if a.typecode == b.typecode and a == b else path + ': arrays differ'
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
    if isinstance(a, (int, float, str, bytes, bool, type(None), type, np.generic)):
        return None if a == b or a != a and b != b else path + ': %r vs %r' % (a, b)
    if hasattr(a, '__dict__') and vars(a):
        return same(vars(a), vars(b), path)
    if a is b:
        return None
    try:
        ra, rb = a.__reduce_ex__(2), b.__reduce_ex__(2)
    except TypeError:
        return None if a == b else path + ': %r vs %r' % (a, b)
    return same(tuple(ra[1:3]), tuple(rb[1:3]), path + '.__reduce__')


for line in sys.stdin.read().split('\n'):
    if line:
        original, rewrite = line.split('\t')
        with open(original, 'rb') as f1, open(rewrite, 'rb') as f2:
            d = same(pickle.load(f1), pickle.load(f2), '$')
        print('same' if d is None else 'different ' + d)
