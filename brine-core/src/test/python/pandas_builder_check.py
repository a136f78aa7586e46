"""Checks pickles Brine's PandasFrame/PandasSeries builders wrote against the same frames built by pandas here.

Usage: /usr/bin/python3 pandas_builder_check.py DIR
Loads every DIR/NAME.pN.pkl with pickle.load and compares it with expected()[NAME]: the same type, equals(), equal
dtypes, and an equal index (names, dtype, values). Prints one line per file, "NAME.pN.pkl OK" or
"NAME.pN.pkl DIFF ...", and writes what it loaded back as DIR/NAME.back.pkl (to_pickle), for Brine to read.
"""
import datetime
import os
import pickle
import sys
import warnings

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")


def expected():
    berlin = "Europe/Berlin"
    e = {}
    e["numeric"] = pd.DataFrame({
        "i64": np.array([1, -2, 2**62], "i8"), "i32": np.array([1, 2, 3], "i4"), "u8": np.array([0, 7, 255], "u1"),
        "f64": [1.5, np.nan, -0.0], "f32": np.array([0.5, 2.0, np.nan], "f4"), "b": [True, False, True],
        "raw": [0.25, 0.5, 0.75]})
    e["objects"] = pd.DataFrame({"o": pd.array(["a", None, 3], dtype=object),
                                 "s": pd.array(["x", None, "ü"], dtype="string")},
                                index=pd.Index(["r1", "r2", "r3"], name="key"))
    e["datetimes"] = pd.DataFrame({
        "dt": pd.to_datetime(["2024-01-01 10:00", None, "1969-12-31 23:59:59.000000001"]),
        "dtz": pd.DatetimeIndex([pd.Timestamp("2024-03-31 01:30", tz=berlin), pd.NaT,
                                 pd.Timestamp("2024-03-31 03:30", tz=berlin)]).array,
        "utc": pd.date_range("2024-01-01", periods=3, tz="UTC").array,
        "td": pd.to_timedelta(["1s", None, "-1ns"])})
    e["extension"] = pd.DataFrame({
        "cat": pd.Categorical(["x", None, "y"]),
        "ordered": pd.Categorical(["x", "y", "x"], categories=["y", "x"], ordered=True),
        "I64": pd.array([1, None, 3], dtype="Int64"), "U8": pd.array([None, 2, 255], dtype="UInt8"),
        "F64": pd.array([0.25, None, 1.0], dtype="Float64"), "B": pd.array([True, None, False], dtype="boolean"),
        "pM": pd.array(["2024-01", None, "2024-03"], dtype="period[M]"),
        "pD": pd.array(["2024-02-29", "1970-01-01", None], dtype="period[D]"),
        "iv": pd.arrays.IntervalArray.from_tuples([(0, 1), (1, 2), (2, 5)], closed="right"),
        "ivf": pd.arrays.IntervalArray.from_tuples([(0.5, 1.5), None, (2.0, 2.25)], closed="left")})
    e["datetime_index"] = pd.DataFrame({"v": [1.0, 2.0]}, index=pd.DatetimeIndex(
        ["2024-01-01 10:00", "2024-07-01 10:00"], tz="Asia/Tokyo", name="when"))
    e["multiindex_int_labels"] = pd.DataFrame({0: [1, 2, 3], 1: ["a", "b", "c"]}, index=pd.MultiIndex.from_tuples(
        [("a", 1), ("a", 2), ("b", 1)], names=["k", "n"]))
    e["no_columns"] = pd.DataFrame(index=pd.Index([1, 2], dtype="int64"))
    e["series_named"] = pd.Series([1, 2, 3], name="count")
    e["series_tz"] = pd.Series(pd.date_range("2024-01-01", periods=2, tz=berlin), name="t",
                               index=pd.Index(["a", "b"]))
    e["series_category"] = pd.Series(pd.Categorical(["lo", "hi", "lo"], categories=["lo", "hi"], ordered=True))
    return e


def same_index(a, b):
    return (type(a) is type(b) and a.equals(b) and list(a.names) == list(b.names) and str(a.dtype) == str(b.dtype))


def check(got, exp):
    if type(got) is not type(exp):
        return f"type {type(got).__name__}, expected {type(exp).__name__}"
    if isinstance(exp, pd.DataFrame):
        if list(got.columns) != list(exp.columns):
            return f"columns {list(got.columns)}, expected {list(exp.columns)}"
        if not got.dtypes.equals(exp.dtypes):
            return f"dtypes {got.dtypes.astype(str).to_dict()}, expected {exp.dtypes.astype(str).to_dict()}"
    else:
        if got.dtype != exp.dtype or got.name != exp.name:
            return f"dtype {got.dtype} name {got.name!r}, expected {exp.dtype} {exp.name!r}"
    if not same_index(got.index, exp.index):
        return f"index {got.index!r}, expected {exp.index!r}"
    if not got.equals(exp):
        return f"not equal:\n{got}\nexpected\n{exp}"
    return None


def main(d):
    exp = expected()
    for f in sorted(os.listdir(d)):
        if not f.endswith(".pkl") or ".back." in f:
            continue
        name = f.split(".")[0]
        try:
            with open(os.path.join(d, f), "rb") as fh:
                got = pickle.load(fh)
            problem = check(got, exp[name])
            got.to_pickle(os.path.join(d, name + ".back.pkl"))
        except Exception as e:      # report, so the Java test names the file
            problem = f"{type(e).__name__}: {e}"
        print(f, "OK" if problem is None else "DIFF " + problem.replace("\n", " | "))


if __name__ == "__main__":
    main(sys.argv[1])
