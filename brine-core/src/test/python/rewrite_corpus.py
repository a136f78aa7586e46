"""Writes real pickles of pandas, scikit-learn, scipy.sparse, numpy and array.array values for the rewrite test.

Usage: /usr/bin/python3 rewrite_corpus.py OUT_DIR   (Debian's python3 with python3-pandas 1.5, python3-sklearn 1.2,
python3-scipy 1.10, python3-numpy 1.24)

Each file is LIBRARY__NAME__pPROTOCOL.pkl, written by pickle.dumps at that protocol, or LIBRARY__NAME__topickle.pkl,
written by DataFrame.to_pickle (protocol 5, pickle.HIGHEST_PROTOCOL). Contents are deterministic (fixed seeds).
manifest.txt lists one line per file: its name, the library and the protocol.
"""
import array
import datetime
import os
import pickle
import sys
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

warnings.simplefilter("ignore")
OUT = sys.argv[1]
manifest = []


def write(lib, name, value, protocols):
    for p in protocols:
        data = pickle.dumps(value, protocol=p)
        fname = "%s__%s__p%d.pkl" % (lib, name, p)
        with open(os.path.join(OUT, fname), "wb") as f:
            f.write(data)
        manifest.append("%s %s %d" % (fname, lib, p))


def frames():
    n = 6
    idx_dt = pd.date_range("2024-01-01", periods=n, freq="D")
    yield "ints", pd.DataFrame({"a": np.arange(n), "b": np.arange(n, dtype="int32") * 2})
    yield "mixed", pd.DataFrame({"i": np.arange(n), "f": np.linspace(0, 1, n), "s": list("abcdef"),
                                 "b": [True, False] * 3})
    yield "datetimes", pd.DataFrame({"t": idx_dt, "tz": idx_dt.tz_localize("Europe/Berlin"),
                                     "d": pd.to_timedelta(np.arange(n), unit="h")})
    yield "categorical", pd.DataFrame({"c": pd.Categorical(list("abcabc")), "v": np.arange(n)})
    yield "nullable", pd.DataFrame({"I": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
                                    "B": pd.array([True, None, False, True, True, False], dtype="boolean"),
                                    "S": pd.array(["x", None, "z", "w", "v", "u"], dtype="string")})
    yield "period", pd.DataFrame({"p": pd.period_range("2024-01", periods=n, freq="M")})
    yield "interval", pd.DataFrame({"iv": pd.interval_range(0, n)})
    yield "dt_index", pd.DataFrame({"x": np.arange(n, dtype=float)}, index=idx_dt)
    yield "multiindex", pd.DataFrame({"x": np.arange(4)},
                                     index=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1), ("b", 2)]))
    yield "str_index", pd.DataFrame({"x": [1.5, 2.5, 3.5]}, index=["r1", "r2", "r3"])
    yield "series_named", pd.Series(np.arange(5, dtype=float), name="s")
    yield "series_str", pd.Series(["a", "b", "a"], index=["a", "b", "c"])
    yield "series_dt", pd.Series(idx_dt)
    yield "int_labels", pd.DataFrame(np.arange(12).reshape(3, 4))


def sklearn_models():
    X, y = load_iris(return_X_y=True)
    Xr, yr = X[:, :3], X[:, 3]
    yield "linear_regression", LinearRegression().fit(Xr, yr)
    yield "logistic_regression", LogisticRegression(max_iter=200).fit(X, y)
    yield "random_forest", RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0).fit(X, y)
    yield "gradient_boosting", GradientBoostingRegressor(n_estimators=3, max_depth=2, random_state=0).fit(Xr, yr)
    yield "svc", SVC(random_state=0).fit(X, y)
    yield "kmeans", KMeans(n_clusters=3, n_init=2, random_state=0).fit(X)
    yield "pca", PCA(n_components=2, random_state=0).fit(X)
    yield "standard_scaler", StandardScaler().fit(X)
    yield "pipeline", Pipeline([("scale", StandardScaler()), ("ridge", Ridge(alpha=0.5))]).fit(Xr, yr)
    yield "decision_tree", DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    yield "knn", KNeighborsClassifier(n_neighbors=3).fit(X, y)
    yield "gaussian_nb", GaussianNB().fit(X, y)
    yield "one_hot", OneHotEncoder().fit([["a", 1], ["b", 2], ["a", 3]])


def sparse():
    dense = np.array([[1.0, 0, 2], [0, 0, 3], [4, 5, 0]])
    for fmt in ("csr", "csc", "coo", "bsr", "dia", "dok", "lil"):
        yield fmt + "_matrix", getattr(sp, fmt + "_matrix")(dense)
        yield fmt + "_array", getattr(sp, fmt + "_array")(dense)


def numpy_values():
    yield "float64", np.linspace(0, 1, 5)
    yield "int_2d_fortran", np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3))
    yield "structured", np.array([(1, 2.5, b"ab"), (3, 4.5, b"cd")], dtype=[("i", "<i4"), ("f", "<f8"), ("s", "S2")])
    yield "masked", np.ma.masked_array([1, 2, 3, 4], mask=[0, 1, 0, 1])
    yield "object", np.array([1, "two", None, 3.0], dtype=object)
    yield "datetime64", np.array(["2024-01-01", "2024-06-30"], dtype="datetime64[D]")
    yield "timedelta64", np.array([1, 2, 3], dtype="timedelta64[s]")
    yield "two_arrays", [np.arange(3), np.arange(4.0)]
    yield "generator", np.random.default_rng(42)
    yield "random_state", np.random.RandomState(7)
    yield "scalars", [np.float64(1.5), np.int32(7), np.bool_(True)]


def arrays():
    for code in array.typecodes:
        if code == "u":
            items = "abc"
        elif code in "fd":
            items = [1.5, -2.25]
        else:
            items = [1, 2, 3]
        yield code, array.array(code, items)


def main():
    all_protocols = range(0, 6)
    for name, df in frames():
        write("pandas", name, df, all_protocols)
        fname = "pandas__%s__topickle.pkl" % name
        df.to_pickle(os.path.join(OUT, fname))
        manifest.append("%s pandas 5" % fname)
    for name, model in sklearn_models():
        write("sklearn", name, model, (2, 4, 5))
    for name, m in sparse():
        write("scipy", name, m, (2, 4, 5))
    for name, v in numpy_values():
        write("numpy", name, v, (2, 3, 4, 5))
    for name, a in arrays():
        write("array", name, a, all_protocols)
    with open(os.path.join(OUT, "manifest.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    print(len(manifest), "files")


if __name__ == "__main__":
    main()
