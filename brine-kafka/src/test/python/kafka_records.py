"""Makes the pickled record values the Kafka tests send, and says what each holds.

Prints one JSON object per line: {"name", "protocol", "pickle" (base64 of pickle.dumps), "b64" (base64 of
base64.b64encode of it, as a Celery-style body), "python" (the value as this interpreter describes it, a tree of
{"t": type, ...} nodes)}. The Java test compares what PickleDeserializer reads against "python".
"""
import base64
import datetime
import json
import pickle
import sys

try:
    import numpy
except ImportError:  # the test then skips the numpy record
    numpy = None


def describe(v):
    if v is None:
        return {"t": "none"}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, int):
        return {"t": "int", "v": str(v)}
    if isinstance(v, float):
        return {"t": "float", "v": v.hex()}
    if isinstance(v, str):
        return {"t": "str", "v": v}
    if isinstance(v, bytes):
        return {"t": "bytes", "v": v.hex()}
    if isinstance(v, tuple):
        return {"t": "tuple", "v": [describe(x) for x in v]}
    if isinstance(v, list):
        return {"t": "list", "v": [describe(x) for x in v]}
    if isinstance(v, dict):
        return {"t": "dict", "v": [[describe(k), describe(x)] for k, x in v.items()]}
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            raise ValueError("naive datetimes only here")
        return {"t": "datetime", "v": [v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond]}
    if isinstance(v, datetime.date):
        return {"t": "date", "v": [v.year, v.month, v.day]}
    if numpy is not None and isinstance(v, numpy.ndarray):
        return {"t": "ndarray", "dtype": v.dtype.str, "shape": list(v.shape),
                "v": [describe(x) for x in v.ravel(order="C").tolist()]}
    raise ValueError("no description for %r" % type(v))


def records():
    event = {
        "id": 7,
        "user": "zoë",
        "score": 0.1,
        "big": 2 ** 80,
        "neg": -(2 ** 63),
        "ok": True,
        "missing": None,
        "tags": ["a", "b", "c"],
        "point": (1, 2.5, "x"),
        "raw": b"\x00\x01\xff",
        "day": datetime.date(2024, 2, 29),
        "at": datetime.datetime(2024, 2, 29, 23, 59, 58, 123456),
        "nested": {"k": [{"deep": (None,)}]},
    }
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        yield "event", protocol, event
    yield "list_of_ints", pickle.DEFAULT_PROTOCOL, list(range(1000))
    yield "shared", pickle.DEFAULT_PROTOCOL, (lambda s: [s, s, {"again": s}])(["same"])
    if numpy is not None:
        yield "ndarray_f8", pickle.DEFAULT_PROTOCOL, numpy.arange(12, dtype="<f8").reshape(3, 4) / 4
        yield "ndarray_i4", 5, numpy.array([[1, -2], [3, 2 ** 31 - 1]], dtype="<i4")


for name, protocol, value in records():
    data = pickle.dumps(value, protocol=protocol)
    print(json.dumps({
        "name": name,
        "protocol": protocol,
        "pickle": base64.b64encode(data).decode("ascii"),
        "b64": base64.b64encode(base64.b64encode(data)).decode("ascii"),
        "python": describe(pickle.loads(data)),
    }))
sys.stdout.flush()
