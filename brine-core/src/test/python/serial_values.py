"""Writes real pickles of the standard-library and numpy values Brine maps to its own value types, for the Java
serialization test.

Usage: python3 serial_values.py OUT_DIR   (Debian's python3 with python3-numpy)

Each file is NAME__pPROTOCOL.pkl, written by pickle.dumps at protocols 0 to 5; manifest.txt lists one line per file:
its name, the library ("stdlib") and the protocol.
"""
import array
import collections
import datetime
import decimal
import fractions
import io
import os
import pathlib
import pickle
import sys
import urllib.parse

import numpy as np

OUT = sys.argv[1]


class WithPersistentIds(pickle.Pickler):
    """Writes every str starting with 'pid:' as a persistent id."""
    def persistent_id(self, obj):
        return obj[4:] if isinstance(obj, str) and obj.startswith("pid:") else None


class DiscardFirst(pickle._Pickler):
    """pickle.py's own save_reduce writes operator.truth(1) with no memo entry, then POP, then the value: a call the
    stream runs and discards before its result, which Brine reads as a PyDiscarding (as dill's enum classes)."""
    def dump_after_call(self, value):
        if self.proto >= 2:
            self.write(pickle.PROTO + bytes([self.proto]))
        if self.proto >= 4:
            self.framer.start_framing()
        import operator
        self.save_reduce(operator.truth, (1,))
        self.write(pickle.POP)
        self.save(value)
        self.write(pickle.STOP)
        self.framer.end_framing()


def values():
    od = collections.OrderedDict([("a", 1), ("b", [1, 2])])
    od.note = "kept as BUILD state"
    dd = collections.defaultdict(list)
    dd["x"].append(1)
    e = KeyError("missing", 3)
    e.extra = {"why": "attribute"}
    shared = b"shared bytes"
    yield "collections", [collections.Counter("abracadabra"), dd, collections.defaultdict(None, {1: 2}), od,
                          collections.deque([1, 2, 3], maxlen=5), collections.deque(["x"])]
    yield "numbers", [complex(1.5, -2), fractions.Fraction(1, 3), decimal.Decimal("NaN"), decimal.Decimal("-sNaN1"),
                      decimal.Decimal("Infinity"), range(1, 10, 2), slice(1, None, -1), slice("a", 2)]
    yield "bytes", [shared, shared, bytearray(b"ab"), b"", bytearray(), frozenset({1, "a", (2, 3)}), frozenset(),
                    (), (1, (2, "b"))]
    yield "paths", [pathlib.PurePosixPath("/usr/lib"), pathlib.PureWindowsPath("C:/x/y"), pathlib.PurePath("a")]
    yield "exceptions", [ValueError("bad", 1), e, StopIteration()]
    yield "namedtuple", [urllib.parse.urlparse("http://example.org/a?b=c"), urllib.parse.urlsplit("s://h/p")]
    yield "arrays", [array.array("i", [1, -2]), array.array("u", "hé"), array.array("d", [0.5])]
    yield "numpy", [np.arange(4, dtype="<i2"), np.dtype([("a", "<f4"), ("b", "S3")]), np.float32(2.5),
                    np.datetime64("2024-01-02"), np.zeros((2, 2), order="F")]
    yield "globals", [len, pickle.Pickler, collections.OrderedDict]
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    yield "datetimes", [datetime.datetime(2024, 1, 1, tzinfo=plus2), datetime.datetime(2024, 1, 2, tzinfo=plus2),
                        datetime.date(2024, 5, 6), datetime.timedelta(days=1, seconds=5)]


def main():
    manifest = []
    for name, value in values():
        for p in range(6):
            fname = "%s__p%d.pkl" % (name, p)
            with open(os.path.join(OUT, fname), "wb") as f:
                f.write(pickle.dumps(value, p))
            manifest.append("%s stdlib %d" % (fname, p))
    for p in range(6):
        buf = io.BytesIO()
        WithPersistentIds(buf, p).dump(["pid:alpha", {"k": "pid:beta"}, "plain"])
        fname = "persistent__p%d.pkl" % p
        with open(os.path.join(OUT, fname), "wb") as f:
            f.write(buf.getvalue())
        manifest.append("%s stdlib %d" % (fname, p))
    for p in range(6):
        buf = io.BytesIO()
        DiscardFirst(buf, p).dump_after_call(["after", collections.OrderedDict(a=1)])
        fname = "discarded_call__p%d.pkl" % p
        with open(os.path.join(OUT, fname), "wb") as f:
            f.write(buf.getvalue())
        manifest.append("%s stdlib %d" % (fname, p))
    with open(os.path.join(OUT, "manifest.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    print(len(manifest), "files")


if __name__ == "__main__":
    main()
