"""Writes benign files of the data libraries for Brine's scanner tests: what pandas, numpy, pytz and scipy pickle.

Usage: /usr/bin/python3 scan_benign.py OUT_DIR   (Debian's python3 with python3-pandas, -numpy, -scipy, -sklearn)

Each file is a value these libraries write when asked to save data: DataFrames and Series of every dtype pandas
1.5 has (pickle protocols 2 to 5 and DataFrame.to_pickle, plain and compressed as pandas infers it from the file
name), indexes, scalars, numpy record arrays and random generator states, scipy sparse matrices; and numpy's own
.npy and .npz files (np.save, np.savez, np.savez_compressed) of plain, structured and object arrays; and fitted
scikit-learn models pickled with the stock pickler at protocols 2, 4 and 5. Every file is
loaded back here, so each is known to be what the library reads. NAME.json beside none of them: the test needs only
the bytes; the scanner must call each SAFE (or UNREADABLE naming the codec, for bz2 and xz).
"""
import os
import pickle
import sys
import warnings

import numpy as np
import pandas as pd
import pytz
import scipy.sparse as sp

warnings.simplefilter("ignore")
out = sys.argv[1]

frame = pd.DataFrame({
    "int": [1, 2, 3], "float": [1.5, np.nan, 3.0], "bool": [True, False, True], "str": ["a", "b", None],
    "cat": pd.Categorical(["x", "y", "x"]), "naive": pd.date_range("2024-01-01", periods=3),
    "aware": pd.date_range("2024-01-01", periods=3, tz="Europe/Berlin"),
    "pytz": pd.date_range("2024-01-01", periods=3, tz=pytz.timezone("America/New_York")),
    "delta": pd.to_timedelta([1, 2, 3], unit="s"), "Int64": pd.array([1, None, 3], dtype="Int64"),
    "boolean": pd.array([True, None, False], dtype="boolean"), "string": pd.array(["a", None, "c"], dtype="string"),
    "period": pd.period_range("2024-01", periods=3, freq="M"), "interval": pd.interval_range(0, 3),
    "sparse": pd.arrays.SparseArray([0.0, 1.0, 0.0]), "Float64": pd.array([0.5, None, 1.5], dtype="Float64"),
})
values = {
    "frame": frame,
    "series": frame["float"],
    "multiindex": pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples([(1, "a"), (2, "b")])),
    "datetimeindex": pd.DatetimeIndex(["2024-01-01", "2024-06-01"], tz="UTC", freq=None),
    "periodindex": pd.period_range("2024Q1", periods=4, freq="Q"),
    "rangeindex_frame": pd.DataFrame({"v": range(5)}),
    "scalars": [pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-01", tz=pytz.timezone("Asia/Tokyo")),
                pd.Timedelta(5, "s"), pd.NaT, pd.NA, pd.Period("2024-01", "M"), pd.Interval(0, 1),
                pd.offsets.MonthEnd(2), pd.offsets.Day(3)],
    "dtypes": [pd.CategoricalDtype(["a", "b"]), pd.DatetimeTZDtype(tz="UTC"), pd.PeriodDtype("D"),
               pd.IntervalDtype("int64"), pd.SparseDtype(float)],
    "recarray": np.rec.array([(1, 2.0), (3, 4.0)], dtype=[("a", "i4"), ("b", "f8")]),
    "generator": np.random.default_rng(3),
    "randomstate": np.random.RandomState(3),
    "numpy_scalars": [np.float64(1.5), np.int32(2), np.bool_(True), np.datetime64("2024-01-01")],
    "masked": np.ma.array([1.0, 2.0], mask=[False, True]),
    "sparse": [getattr(sp, f + "_matrix")(np.eye(3)) for f in ("csr", "csc", "coo", "bsr", "dia", "dok", "lil")],
    "sparse_arrays": [getattr(sp, f + "_array")(np.eye(3)) for f in ("csr", "csc", "coo", "bsr", "dia", "dok", "lil")],
}
count = 0
for name, value in values.items():
    for protocol in (2, 4, 5):
        path = os.path.join(out, f"{name}.p{protocol}.pkl")
        with open(path, "wb") as f:
            pickle.dump(value, f, protocol=protocol)
        with open(path, "rb") as f:
            pickle.load(f)
        count += 1
    if isinstance(value, (pd.DataFrame, pd.Series)):
        for ext in ("pkl", "pkl.gz", "pkl.bz2", "pkl.xz", "pkl.zip", "pkl.tar"):
            path = os.path.join(out, f"{name}.to_pickle.{ext}")
            value.to_pickle(path)
            pd.read_pickle(path)
            count += 1
arrays = {"floats": np.linspace(0, 1, 7), "ints": np.arange(12, dtype=">i8").reshape(3, 4),
          "structured": np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8", (2,))]),
          "objects": np.array([1, "x", None, (1, 2)], dtype=object),
          "structured_objects": np.array([(1, "x")], dtype=[("a", "<i8"), ("b", "O")])}
for name, a in arrays.items():
    path = os.path.join(out, f"{name}.npy")
    np.save(path, a, allow_pickle=True)
    np.load(path, allow_pickle=True)
    count += 1
for name, save in (("savez", np.savez), ("savez_compressed", np.savez_compressed)):
    path = os.path.join(out, f"arrays.{name}.npz")
    save(path, **arrays)
    with np.load(path, allow_pickle=True) as z:
        [z[k] for k in z.files]
    count += 1
# scikit-learn models pickled with the stock pickler (joblib_fixtures.py writes them with joblib.dump).
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

X = np.arange(40, dtype=float).reshape(20, 2)
y = np.arange(20) % 2
models = {"logistic": LogisticRegression().fit(X, y),
          "forest": RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y),
          "tree": DecisionTreeClassifier(random_state=0).fit(X, y),
          "kmeans": KMeans(n_clusters=2, n_init=2, random_state=0).fit(X),
          "pipeline": make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)}
for name, model in models.items():
    for protocol in (2, 4, 5):
        path = os.path.join(out, f"sklearn_{name}.p{protocol}.pkl")
        with open(path, "wb") as f:
            pickle.dump(model, f, protocol=protocol)
        with open(path, "rb") as f:
            pickle.load(f).predict(X)
        count += 1
print(count, "files")
