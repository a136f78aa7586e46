"""Writes scipy.sparse pickles for Brine's tests, with a manifest.json describing each from what scipy loads.

Usage: /usr/bin/python3 sparse_fixtures.py OUT_DIR   (Debian's python3 with python3-scipy, python3-numpy)

Every format (csr, csc, coo, bsr, dia, and dok and lil, which Brine does not interpret) as a *_matrix and, where
scipy has it, a *_array, in several dtypes and shapes (empty, explicit zeros, unsorted and duplicate coo entries,
non-square blocks), pickled at protocols 2, 4 and 5. The manifest entry of NAME.pkl is computed from
pickle.load(NAME.pkl): class, format, shape, dtype, nnz, the defining arrays, and the dense matrix as floats.
"""
import json
import os
import warnings
import pickle
import sys

import numpy as np
import scipy
import scipy.sparse as sp

warnings.simplefilter("ignore")   # SparseEfficiencyWarning: dia of a random matrix, on purpose
out = sys.argv[1]
rng = np.random.default_rng(7)


def dense_random(rows, cols, density, dtype):
    m = rng.random((rows, cols))
    m[m > density] = 0
    if np.dtype(dtype).kind == "b":
        return m != 0
    if np.dtype(dtype).kind in "iu":
        return (m * 100).astype(dtype)
    return m.astype(dtype)


BASES = {
    "f8_5x7": dense_random(5, 7, 0.4, "f8"),
    "f4_3x3": dense_random(3, 3, 0.7, "f4"),
    "i8_4x6": dense_random(4, 6, 0.5, "i8"),
    "i4_6x2": dense_random(6, 2, 0.5, "i4"),
    "bool_4x4": dense_random(4, 4, 0.5, "?"),
    "empty_0x3": np.zeros((0, 3)),
    "zero_3x4": np.zeros((3, 4)),
    "big_200x150": dense_random(200, 150, 0.05, "f8"),
}

files = {}


def save(name, m, protocol):
    path = os.path.join(out, f"{name}.p{protocol}.pkl")
    with open(path, "wb") as f:
        pickle.dump(m, f, protocol=protocol)
    with open(path, "rb") as f:
        back = pickle.load(f)
    entry = {
        "class": type(back).__module__ + "." + type(back).__name__,
        "format": back.format,
        "shape": list(back.shape),
        "dtype": back.dtype.str,
        "nnz": int(back.nnz),
        "dense": back.toarray().real.astype(float).tolist(),
    }
    if back.dtype.kind == "c":
        entry["dense_imag"] = back.toarray().imag.astype(float).tolist()
    for attr in ("data", "indices", "indptr", "row", "col", "offsets"):
        if back.format in ("dok", "lil"):
            break
        if hasattr(back, attr) and isinstance(getattr(back, attr), np.ndarray):
            entry[attr] = getattr(back, attr).real.astype(float).ravel().tolist()
    if back.format == "bsr":
        entry["blocksize"] = list(back.blocksize)
    files[os.path.basename(path)] = entry


array_classes = {f: getattr(sp, f + "_array") for f in ("csr", "csc", "coo", "bsr", "dia", "dok", "lil")
                 if hasattr(sp, f + "_array")}
for base_name, dense in BASES.items():
    for fmt in ("csr", "csc", "coo", "bsr", "dia", "dok", "lil"):
        if fmt == "dia" and dense.dtype.kind == "b":
            continue
        m = getattr(sp, fmt + "_matrix")(dense)
        for protocol in (2, 4, 5):
            save(f"{fmt}_matrix.{base_name}", m, protocol)
        if fmt in array_classes:
            save(f"{fmt}_array.{base_name}", array_classes[fmt](dense), 4)

# Shapes the constructors from dense never make.
explicit_zero = sp.csr_matrix((np.array([1.0, 0.0, 2.0]), np.array([2, 0, 1]), np.array([0, 2, 3, 3])), shape=(3, 3))
save("csr_matrix.explicit_zero_unsorted", explicit_zero, 4)
duplicates = sp.coo_matrix((np.array([1.0, 2.0, 3.0, 4.0]), (np.array([2, 0, 2, 1]), np.array([1, 0, 1, 3]))),
                           shape=(3, 4))
save("coo_matrix.duplicates", duplicates, 4)
blocks = sp.bsr_matrix(dense_random(4, 6, 0.6, "f8"), blocksize=(2, 3))
save("bsr_matrix.blocks_2x3", blocks, 4)
wide_dia = sp.dia_matrix((np.arange(1.0, 13.0).reshape(3, 4), np.array([0, -1, 2])), shape=(4, 5))
save("dia_matrix.offsets", wide_dia, 4)
int64_index = sp.csr_matrix(BASES["f8_5x7"])
int64_index.indices = int64_index.indices.astype(np.int64)
int64_index.indptr = int64_index.indptr.astype(np.int64)
save("csr_matrix.int64_index", int64_index, 4)
complex_m = sp.csc_matrix(np.array([[1 + 2j, 0], [0, 3 - 1j]]))
save("csc_matrix.complex", complex_m, 4)

with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump({"scipy": scipy.__version__, "numpy": np.__version__, "files": files}, f, indent=1, sort_keys=True)
print(len(files), "files")
