"""Writes pickled pandas DataFrames and Series for Brine's tests, with what pandas itself says they hold.

Usage: /usr/bin/python3 pandas_fixtures.py OUT_DIR   (Debian's python3 with python3-pandas 1.5.3)

For each case NAME: NAME.p2.pkl, NAME.p4.pkl, NAME.p5.pkl (pickle.dumps at protocols 2, 4, 5), NAME.to_pickle.pkl
(obj.to_pickle) and NAME.json, computed by pandas from the object:
  {"kind": "frame"|"series", "labels": [...], "dtypes": [str(dtype) per column], "values": [[...] per column],
   "index": [...], "index_names": [...], "index_dtype": str, "rows": n}
Values are put in a canonical JSON form by canon() below, which the Java test also applies to what Brine reads:
  missing (None, pd.NA, pd.NaT) -> null; bool, str and 64-bit ints as they are; larger ints -> {"big": str(v)};
  float (NaN included: a float column's NaN stays NaN) -> {"float": repr(float(v))}, so no precision is lost;
  Timestamp -> {"ns": nanoseconds of the wall time since 1970-01-01 (naive) or of the UTC instant (aware),
                "tz": str(tz) or null, "off": UTC offset in seconds or null};
  Timedelta -> {"td": nanoseconds}; Period, Interval -> str(value) (pandas' own text); tuple -> list.
"""
import datetime
import json
import os
import pickle
import sys
import warnings
import zoneinfo

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")


def canon(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v) if -2**63 <= int(v) < 2**63 else {"big": str(int(v))}
    if isinstance(v, (float, np.floating)):
        return {"float": repr(float(v))}
    if isinstance(v, str):
        return v
    if isinstance(v, pd.Timestamp):
        if v.tz is None:
            return {"ns": v.value, "tz": None, "off": None}
        return {"ns": v.value, "tz": str(v.tz), "off": int(v.utcoffset().total_seconds())}
    if isinstance(v, pd.Timedelta):
        return {"td": v.value}
    if isinstance(v, (pd.Period, pd.Interval)):
        return str(v)
    if isinstance(v, tuple):
        return [canon(x) for x in v]
    raise TypeError(f"no canonical form for {type(v)}: {v!r}")


def column_values(s):
    """The values of one column, as pandas boxes them when iterating (Timestamp, Period, pd.NA, ...). A missing
    value (pd.isna) is null, except in a numpy float column, whose NaN stays NaN."""
    keep_nan = s.dtype.kind == "f" and isinstance(s.dtype, np.dtype)
    return [canon(x) if keep_nan or not pd.isna(x) else None for x in s]


def index_values(index):
    """An index's values; a MultiIndex's rows from its levels and codes (a code of -1 is null), since iterating
    a MultiIndex casts a level with missing values to float."""
    if isinstance(index, pd.MultiIndex):
        return [[None if c == -1 else canon(level[c]) for level, c in zip(index.levels, codes)]
                for codes in zip(*index.codes)]
    return column_values(index.to_series())


def describe(obj):
    if isinstance(obj, pd.Series):
        labels, dtypes, values = [obj.name], [str(obj.dtype)], [column_values(obj)]
        kind = "series"
    else:
        labels = list(obj.columns)
        dtypes = [str(t) for t in obj.dtypes]
        values = [column_values(obj.iloc[:, i]) for i in range(obj.shape[1])]
        kind = "frame"
    return {"kind": kind, "labels": [canon(l) for l in labels], "dtypes": dtypes, "values": values,
            "index": index_values(obj.index), "index_names": [canon(n) for n in obj.index.names],
            "index_dtype": str(obj.index.dtype), "rows": len(obj)}


def cases():
    berlin = pd.date_range("2024-03-30 12:00", periods=4, freq="12H", tz="Europe/Berlin")   # crosses DST
    n4 = [1, 2, 3, 4]
    c = {}
    c["ints"] = pd.DataFrame({"i64": np.array(n4, "i8"), "i32": np.array(n4, "i4"), "i8": np.array([-1, 0, 1, 127], "i1"),
                              "u8": np.array([0, 1, 2, 255], "u1"), "u64": np.array([0, 1, 2**63, 2**64 - 1], "u8")})
    c["floats"] = pd.DataFrame({"f64": [1.5, np.nan, -0.0, 1e300], "f32": np.array([0.1, 2.5, np.nan, 3], "f4")})
    c["bools"] = pd.DataFrame({"b": [True, False, True, True]})
    c["objects"] = pd.DataFrame({"s": ["a", None, "ü", ""], "mixed": [1, "two", 3.5, None]})
    c["datetimes"] = pd.DataFrame({"dt": pd.to_datetime(["2024-01-01", "1969-12-31 23:59:59.000000001", None,
                                                         "2262-04-11"])})
    with_nat = pd.Series(berlin)
    with_nat[1] = pd.NaT
    c["datetimes_berlin"] = pd.DataFrame({"dtz": with_nat})
    c["datetimes_utc_offset_zoneinfo"] = pd.DataFrame({
        "utc": pd.date_range("2024-01-01", periods=2, tz="UTC"),
        "offset": pd.date_range("2024-01-01", periods=2, tz=datetime.timezone(datetime.timedelta(hours=-5))),
        "zoneinfo": pd.date_range("2024-06-01", periods=2, tz=zoneinfo.ZoneInfo("America/New_York"))})
    c["timedeltas"] = pd.DataFrame({"td": pd.to_timedelta(["1 days 00:00:01", None, "-1ns", "0s"])})
    c["categories"] = pd.DataFrame({"c": pd.Categorical(["x", "y", None, "x"]),
                                    "ordered_ints": pd.Categorical([3, 1, 2, 3], categories=[3, 2, 1], ordered=True)})
    c["masked"] = pd.DataFrame({"I64": pd.array([1, None, 3, -4], dtype="Int64"),
                                "U8": pd.array([1, None, 255, 0], dtype="UInt8"),
                                "F64": pd.array([0.5, None, 2.0, 3.0], dtype="Float64"),
                                "bool": pd.array([True, None, False, True], dtype="boolean")})
    c["strings"] = pd.DataFrame({"s": pd.array(["a", None, "c", "ü"], dtype="string")})
    c["periods"] = pd.DataFrame({"M": pd.period_range("2023-11", periods=4, freq="M"),
                                 "D": pd.PeriodIndex(["2024-02-28", None, "1969-12-31", "2024-03-01"], freq="D"),
                                 "Q": pd.period_range("2023Q3", periods=4, freq="Q"),
                                 "A": pd.period_range("1999", periods=4, freq="A"),
                                 "H": pd.period_range("2024-01-01 22:00", periods=4, freq="H")})
    c["intervals"] = pd.DataFrame({"right": pd.arrays.IntervalArray.from_breaks([0, 1, 2, 5, 10]),
                                   "left": pd.arrays.IntervalArray.from_tuples([(0.5, 1.5), None, (2.0, 2.25),
                                                                                (-1e-3, 0.0)], closed="left")})
    c["all_dtypes"] = pd.DataFrame({
        "i": [1, 2, 3], "f": [1.5, np.nan, 3.0], "b": [True, False, True], "s": ["a", None, "c"],
        "dt": pd.to_datetime(["2024-01-01", "2024-01-02", None]),
        "dtz": pd.date_range("2024-01-01", periods=3, tz="Europe/Berlin"),
        "td": pd.to_timedelta([1, 2, None], unit="s"), "cat": pd.Categorical(["x", "y", "x"]),
        "I": pd.array([1, None, 3], dtype="Int64"), "B": pd.array([True, None, False], dtype="boolean"),
        "S": pd.array(["a", None, "c"], dtype="string"), "p": pd.period_range("2024-01", periods=3, freq="M"),
        "iv": pd.IntervalIndex.from_breaks([0, 1, 2, 3]).array})
    c["wide_float_block"] = pd.DataFrame(np.arange(15, dtype="f8").reshape(3, 5), columns=list("abcde"))
    fortran = pd.DataFrame(np.asfortranarray(np.arange(12, dtype="i8").reshape(4, 3)), columns=["x", "y", "z"])
    c["fortran_block"] = fortran
    shuffled = pd.DataFrame({"a": [1, 2], "b": [1.0, 2.0], "c": [3, 4], "d": ["p", "q"]})
    shuffled["e"] = [5, 6]                       # an unconsolidated second int block
    c["unconsolidated_reordered"] = shuffled[["e", "c", "d", "a", "b"]]
    c["int_labels_string_index"] = pd.DataFrame({0: [1.0, 2.0], 10: ["x", "y"]}, index=["r1", "r2"])
    c["tuple_labels"] = pd.DataFrame([[1, 2, 3]], columns=pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)]))
    c["multiindex_rows"] = pd.DataFrame({"v": [1, 2, 3]}, index=pd.MultiIndex.from_tuples(
        [("a", 1), ("a", 2), ("b", None)], names=["k", "n"]))
    c["datetimeindex_tz"] = pd.DataFrame({"v": [1.0, 2.0]}, index=pd.DatetimeIndex(
        ["2024-01-01 10:00", "2024-07-01 10:00"], tz="Asia/Tokyo", name="when"))
    c["other_indexes"] = pd.DataFrame({"v": [1, 2]}, index=pd.Index([0.5, 1.5], name="f"))
    c["categorical_index"] = pd.DataFrame({"v": [1, 2, 3]}, index=pd.CategoricalIndex(["a", "b", "a"]))
    c["period_index"] = pd.DataFrame({"v": [1, 2]}, index=pd.period_range("2024-01", periods=2, freq="M"))
    c["timedelta_index"] = pd.DataFrame({"v": [1, 2]}, index=pd.to_timedelta(["1s", "2s"]))
    c["interval_index"] = pd.DataFrame({"v": [1, 2]}, index=pd.IntervalIndex.from_breaks([0, 1, 2]))
    c["range_index_step"] = pd.DataFrame({"v": [1, 2, 3]}, index=pd.RangeIndex(10, 4, -2))
    c["empty_rows"] = pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="object")})
    c["no_columns"] = pd.DataFrame(index=[1, 2, 3])
    c["series_int_named"] = pd.Series([1, 2, 3], name="count")
    c["series_float_unnamed"] = pd.Series([1.5, np.nan])
    c["series_int_name"] = pd.Series(["a", "b"], name=7)
    c["series_category"] = pd.Series(pd.Categorical(["lo", "hi", "lo"], categories=["lo", "hi"], ordered=True),
                                     name="level")
    c["series_datetime_tz"] = pd.Series(berlin, name="t")
    c["series_multiindex"] = pd.Series([1, 2, 3], name="x", index=pd.MultiIndex.from_tuples(
        [("a", 1), ("a", 2), ("b", 1)]))
    c["series_string"] = pd.Series(pd.array(["x", None], dtype="string"))
    c["series_interval"] = pd.Series(pd.IntervalIndex.from_breaks([0, 1, 3], closed="both"))
    c["series_period"] = pd.Series(pd.period_range("2024-01-01 10:00", periods=2, freq="T"))
    c["series_timedelta"] = pd.Series(pd.to_timedelta(["1h", None]), name="d")
    c["series_masked"] = pd.Series(pd.array([None, 2], dtype="Int32"), name="m")
    c["series_bool"] = pd.Series([True, False], name="ok", index=pd.Index(["a", "b"], name="key"))
    return c


def main(out):
    written = 0
    for name, obj in cases().items():
        for proto in (2, 4, 5):
            with open(os.path.join(out, f"{name}.p{proto}.pkl"), "wb") as f:
                f.write(pickle.dumps(obj, protocol=proto))
            written += 1
        obj.to_pickle(os.path.join(out, f"{name}.to_pickle.pkl"))
        written += 1
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump(describe(obj), f, ensure_ascii=False)
    print(f"pandas {pd.__version__}: {len(cases())} cases, {written} pickles")


if __name__ == "__main__":
    main(sys.argv[1])
