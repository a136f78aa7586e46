"""Writes joblib files for Brine's tests, with a manifest.json describing them.

Usage: /usr/bin/python3 joblib_fixtures.py OUT_DIR   (Debian's python3 with python3-sklearn 1.2, python3-joblib 1.2)

Fitted scikit-learn models (iris data, fixed random_state) and plain dicts/lists of numpy arrays, each written with
joblib.dump uncompressed and compressed: NAME.joblib, NAME.zlib.joblib (compress=3), NAME.gzip.joblib, and for a
few also NAME.bz2.joblib, NAME.lzma.joblib, NAME.xz.joblib. The manifest is computed from what joblib.load gives
back for each file; for the array files, from what was dumped, so dtypes are as written ('>i8', while
joblib.load returns it native). Contents are deterministic; the bytes of gzip files are not (a time stamp).
"""
import json
import math
import os
import sys
import warnings

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

warnings.simplefilter("ignore")   # MLPClassifier's ConvergenceWarning, on purpose: max_iter is tiny

CODECS = {"none": 0, "zlib": 3, "gzip": ("gzip", 3), "bz2": ("bz2", 3), "lzma": ("lzma", 3), "xz": ("xz", 3)}
ALL_CODECS = ("none", "zlib", "gzip", "bz2", "lzma", "xz")
USUAL_CODECS = ("none", "zlib", "gzip")


def models():
    """(name, fitted model, input for predict/transform or None, method name). Small, so each file stays small."""
    X, y = load_iris(return_X_y=True)
    Xr, yr = X[:, :3], X[:, 3]                     # a regression: petal width from the other three
    texts = ["the cat sat on the mat", "the dog ate my homework", "a cat and a dog", "pickles are not safe"]
    fitted = [
        ("linear_regression", LinearRegression().fit(Xr, yr), Xr[:3], "predict"),
        ("logistic_regression", LogisticRegression(max_iter=200).fit(X, y), X[:3], "predict"),
        ("random_forest", RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y), X[:3],
         "predict"),
        ("gradient_boosting", GradientBoostingRegressor(n_estimators=5, max_depth=2, random_state=0).fit(Xr, yr),
         Xr[:3], "predict"),
        ("svc", SVC(random_state=0).fit(X, y), X[:3], "predict"),
        ("kmeans", KMeans(n_clusters=3, n_init=3, random_state=0).fit(X), X[:3], "predict"),
        ("pca", PCA(n_components=2, random_state=0).fit(X), X[:3], "transform"),
        ("standard_scaler", StandardScaler().fit(X), X[:3], "transform"),
        ("pipeline", Pipeline([("scale", StandardScaler()), ("ridge", Ridge(alpha=0.5))]).fit(Xr, yr), Xr[:3],
         "predict"),
        ("decision_tree", DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y), X[:3], "predict"),
        ("knn", KNeighborsClassifier(n_neighbors=3).fit(X, y), X[:3], "predict"),
        ("mlp", MLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0).fit(X, y), X[:3], "predict"),
        ("tfidf", TfidfVectorizer().fit(texts), None, None),
    ]
    return fitted


def arrays():
    """Plain numpy arrays of many kinds, in C and Fortran order, in a dict."""
    rng = np.random.default_rng(0)
    cube = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
    return {
        "float64_c": np.array([[0.5, -0.0, np.nan], [np.inf, -np.inf, 1e300]]),
        "float64_f": np.asfortranarray(rng.standard_normal((3, 4))),
        "int32_c": np.arange(12, dtype=np.int32).reshape(3, 4),
        "int32_f": np.asfortranarray(np.arange(12, dtype=np.int32).reshape(3, 4)),
        "int64_big_endian": np.array([1, -2, 2 ** 40], dtype=">i8"),
        "bool": np.array([[True, False], [False, True]]),
        "float16": np.array([1.5, -2.0, np.nan, 65504.0], dtype=np.float16),
        "complex128": np.array([1 + 2j, -3.5j, complex(np.inf, 0)]),
        "slice_3d": cube[::2, 1:, ::-2],          # not contiguous: joblib writes it out in C order
        "object_strings": np.array(["a", "bé", None, 7], dtype=object),
        "empty": np.zeros((0, 3)),
        "scalar_0d": np.array(2.5),
        "structured": np.array([(1, 2.5, "x"), (-3, np.nan, "yz")],
                               dtype=[("i", "<i4"), ("f", "<f8"), ("s", "<U2")]),
        "uint8": np.arange(0, 256, 51, dtype=np.uint8),
        "bytes_s3": np.array([b"ab", b"cde"], dtype="S3"),
    }


def array_list():
    """A list of arrays, one of them appearing twice (joblib writes it twice; pickle's memo does not apply)."""
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    return [a, np.linspace(0, 1, 5), np.array([1, 2, 3], dtype=np.int8), a]


# ---------------------------------------------------------------------------------------------------------------
# Describing what was loaded.

def plain(v):
    """A JSON value for an element of tolist(): NaN/inf as strings, complex as [re, im], bytes as {"hex": ...}."""
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, complex):
        return [plain(v.real), plain(v.imag)]
    if isinstance(v, bytes):
        return {"hex": v.hex()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def fortran(a):
    """The order joblib's NumpyArrayWrapper records: 'F' only for arrays F- but not C-contiguous."""
    return bool(a.flags.f_contiguous and not a.flags.c_contiguous)


def array_entry(a, path, with_values):
    d = {"path": path, "dtype": a.dtype.str, "shape": list(a.shape), "fortran_order": fortran(a)}
    if a.dtype.names:
        d["descr"] = [list(f) for f in a.dtype.descr]
    if with_values:
        d["values"] = plain(a.tolist())
    return d


def walk_arrays(obj, path, out, with_values, depth=0):
    """Every numpy array reachable through containers, estimators' __dict__ and sklearn Tree state."""
    if depth > 12:
        return
    if isinstance(obj, np.ndarray):
        out.append(array_entry(obj, path, with_values))
        if obj.dtype == object and not with_values:
            for i, v in enumerate(obj.flat):
                walk_arrays(v, path + "[%d]" % i, out, with_values, depth + 1)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            walk_arrays(v, path + "[" + (json.dumps(k) if isinstance(k, str) else repr(k)) + "]", out, with_values,
                        depth + 1)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            walk_arrays(v, path + "[%d]" % i, out, with_values, depth + 1)
    elif isinstance(obj, BaseEstimator) or type(obj).__module__.startswith("scipy.sparse"):
        for k, v in vars(obj).items():
            walk_arrays(v, path + "." + k, out, with_values, depth + 1)
    elif type(obj).__name__ == "Tree" and hasattr(obj, "__getstate__"):
        for k, v in obj.__getstate__().items():    # 'nodes' is a structured array, 'values' a float64 array
            walk_arrays(v, path + ".__getstate__()[" + json.dumps(k) + "]", out, with_values, depth + 1)


def qualified(obj):
    return type(obj).__module__ + "." + type(obj).__qualname__


def dump(obj, out, name, codec):
    filename = name + (".joblib" if codec == "none" else "." + codec + ".joblib")
    path = os.path.join(out, filename)
    joblib.dump(obj, path, compress=CODECS[codec])
    return filename, joblib.load(path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = []
    model_names = []
    for name, model, x, method in models():
        model_names.append(name)
        for codec in (ALL_CODECS if name in ("linear_regression", "decision_tree") else USUAL_CODECS):
            filename, loaded = dump(model, out, name, codec)
            entry = {"file": filename, "codec": codec, "kind": "model", "name": name,
                     "model": type(loaded).__name__, "type": qualified(loaded)}
            if method is not None:
                entry["method"] = method
                entry["input"] = plain(x.tolist())
                entry["output"] = plain(getattr(loaded, method)(x).tolist())
            else:
                entry["vocabulary"] = {k: int(v) for k, v in sorted(loaded.vocabulary_.items())}
            attrs = []
            walk_arrays(loaded, "", attrs, with_values=False)
            entry["arrays"] = attrs
            files.append(entry)
    for name, obj, codecs in (("arrays", arrays(), ALL_CODECS), ("array_list", array_list(), USUAL_CODECS)):
        for codec in codecs:
            filename, loaded = dump(obj, out, name, codec)
            # Described from what was dumped: joblib.load turns big-endian arrays native, the file keeps '>i8'.
            found, back = [], []
            walk_arrays(obj, "", found, with_values=True)
            walk_arrays(loaded, "", back, with_values=True)
            assert [a["values"] for a in found] == [a["values"] for a in back], filename
            files.append({"file": filename, "codec": codec, "kind": "arrays", "name": name,
                          "type": qualified(loaded), "arrays": found})

    manifest = {
        "generator": "joblib_fixtures.py",
        "joblib": joblib.__version__,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "models": model_names,
        "files": files,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, allow_nan=False, ensure_ascii=True)
    print("%d files, %d models" % (len(files), len(model_names)))


if __name__ == "__main__":
    main()
