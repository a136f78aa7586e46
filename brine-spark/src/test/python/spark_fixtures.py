"""Fixtures for brine-spark's tests, and the Python half of the checks.

    spark_fixtures.py make OUTDIR
        Writes into OUTDIR:
        - records.pkl        one pickle (protocol 5) of the list of records: layout plain, one row per element
        - stream.pkl         pickles one after another (pickle.dump in a loop) of ints and None; stream.txt
                             has their str() one a line
        - records.frames     PySpark's Python half of saveAsPickleFile(batchSize=10) over 3 partitions of the
                             records: each partition's records in lists of up to 10, each list a protocol-5 pickle
                             (what BatchedSerializer(CPickleSerializer(), 10) gives the JVM)
        - one.frames         each record pickled alone (protocol 5): the binary column for from_pickle
        - bad.frames         a partition of 3 batches whose second is cut short
        - big.frames         one batch whose record holds an int of 130 bits
        - truncated.pkl      records.pkl without its last 7 bytes
        A .frames file is a sequence of (partition: 4-byte big-endian, length: 4-byte big-endian, bytes).

    spark_fixtures.py check-batches FRAMES
        FRAMES holds the SequenceFile values' byte[] elements that Spark's own objectFile extracted from a directory
        Brine wrote (partition 0 for all). Loads each with pickle.loads as PySpark's pickleFile does (each a list,
        flattened), checks the protocol and batch sizes, and compares with the records: exit 0 and "OK n" if equal.

    spark_fixtures.py check-plain FILE...
        Loads each file with pickle.load (one pickle of a list) and compares their concatenation with the records.

    spark_fixtures.py bench FRAMES N PARTITIONS
        The benchmark's input: N flat records (int, str, float, bool, list of str, date: values Pyrolite reads
        too) as PySpark's Python half hands them to the JVM, in PARTITIONS partitions.

    spark_fixtures.py check-one FRAMES
        Each value a to_pickle result of one record: compared with the records in order.
"""
import datetime
import pickle
import struct
import sys

import numpy

N = 95
UTC = datetime.timezone.utc
IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))


def record(i):
    return {
        "id": i,
        "name": "row %d zoë" % i,
        "score": i / 7,
        "ok": i % 2 == 0,
        "note": None if i % 3 else "third",
        "raw": bytes([i % 256, 0, 255]),
        "day": datetime.date(2024, 2, 29) + datetime.timedelta(days=i),
        "at": datetime.datetime(2024, 2, 29, 23, 59, 58, 123456) + datetime.timedelta(seconds=i),
        "at_tz": datetime.datetime(2024, 3, 31, 1, 30, 0, 654321, tzinfo=IST if i % 2 else UTC)
                 + datetime.timedelta(minutes=i),
        "big": 2 ** 80 + i if i % 2 else -i,
        "tags": ["a", "b", "c"][: i % 4],
        "point": (i, i + 0.5),
        "vec": numpy.arange(3, dtype="<f8") * i,
        "ivec": numpy.array([i, -i, 2 ** 31 - 1], dtype="<i4"),
        "attrs": {"k": i, "s": str(i)},
        "counts": {1: "one", i + 2: "many"},
    }


RECORDS = [record(i) for i in range(N)]
STREAM = [1, 2 ** 70, -3, None, 5]


def norm(v):
    """The value as it comes back through Spark: tuples and numpy arrays as lists, the rest as is."""
    if isinstance(v, numpy.ndarray):
        return [norm(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {norm(k): norm(x) for k, x in v.items()}
    return v


def write_frames(path, frames):
    with open(path, "wb") as f:
        for part, data in frames:
            f.write(struct.pack(">ii", part, len(data)))
            f.write(data)


def read_frames(path):
    out = []
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at < len(data):
        part, n = struct.unpack_from(">ii", data, at)
        at += 8
        out.append((part, data[at:at + n]))
        at += n
    return out


def pyspark_batches(items, partitions, batch_size=10):
    """parallelize(items, partitions) slices, then each partition's items pickled in lists of batch_size."""
    frames = []
    n = len(items)
    for p in range(partitions):
        chunk = items[p * n // partitions:(p + 1) * n // partitions]
        for b in range(0, len(chunk), batch_size):
            frames.append((p, pickle.dumps(chunk[b:b + batch_size], protocol=5)))
    return frames


def make(out):
    with open(out + "/records.pkl", "wb") as f:
        pickle.dump(RECORDS, f, protocol=5)
    with open(out + "/truncated.pkl", "wb") as f:
        f.write(pickle.dumps(RECORDS, protocol=5)[:-7])
    with open(out + "/stream.pkl", "wb") as f:
        for v in STREAM:
            pickle.dump(v, f, protocol=4)
    with open(out + "/stream.txt", "w") as f:
        f.write("\n".join("None" if v is None else str(v) for v in STREAM))
    write_frames(out + "/records.frames", pyspark_batches(RECORDS, 3))
    write_frames(out + "/one.frames", [(0, pickle.dumps(r, protocol=5)) for r in RECORDS])
    good = pyspark_batches(RECORDS[:30], 1)
    bad = [good[0], (0, good[1][1][:-5]), good[2]]
    write_frames(out + "/bad.frames", bad)
    huge = dict(RECORDS[1])
    huge["big"] = 2 ** 130
    write_frames(out + "/big.frames", [(0, pickle.dumps([RECORDS[0], huge, RECORDS[2]], protocol=5))])


def compare(got, label, ordered=True):
    want = [norm(r) for r in RECORDS]
    got = [norm(r) for r in got]
    if not ordered:   # the order of a directory's part files is not kept by every reader
        got.sort(key=lambda r: r["id"])
    if len(got) != len(want):
        sys.exit("%s: %d records, expected %d" % (label, len(got), len(want)))
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            diff = {k: (g.get(k), w.get(k)) for k in set(g) | set(w) if g.get(k) != w.get(k)}
            sys.exit("%s: record %d differs (got, expected): %r" % (label, i, diff))
    print("OK", len(got))


def check_batches(path):
    got = []
    for _, data in read_frames(path):
        if data[:2] != b"\x80\x05":
            sys.exit("a batch is not protocol 5: %r" % data[:2])
        batch = pickle.loads(data)
        if not isinstance(batch, list) or not 1 <= len(batch) <= 10:
            sys.exit("a batch is not a list of 1 to 10 elements: %r" % type(batch))
        got.extend(batch)
    compare(got, "pyspark layout", ordered=False)


def check_plain(paths):
    got = []
    for p in paths:
        with open(p, "rb") as f:
            got.extend(pickle.load(f))
            if f.read(1):
                sys.exit("%s has bytes after its pickle" % p)
    compare(got, "plain layout", ordered=False)


def check_one(path):
    compare([pickle.loads(d) for _, d in read_frames(path)], "to_pickle")


def bench(path, n, partitions):
    base = datetime.date(2020, 1, 1)
    items = [{"id": i, "name": "user-%07d" % i, "score": i * 0.25, "ok": i % 3 == 0,
              "tags": ["t%d" % (i % 5), "x"], "day": base + datetime.timedelta(days=i % 1000)}
             for i in range(n)]
    write_frames(path, pyspark_batches(items, partitions))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "check-batches":
        check_batches(sys.argv[2])
    elif cmd == "check-plain":
        check_plain(sys.argv[2:])
    elif cmd == "bench":
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "check-one":
        check_one(sys.argv[2])
    else:
        sys.exit("unknown command " + cmd)
