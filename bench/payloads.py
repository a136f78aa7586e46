#!/usr/bin/env python3
"""Writes the benchmark payloads: the same pickle files for Brine, Pyrolite and CPython.

Each payload is pickled by this interpreter's C pickler at protocol 2 and at protocol 5, into
<out>/<name>-p<protocol>.pickle, and described in <out>/manifest.json. The values are built from a
fixed seed, so two runs write the same bytes.

    python3 bench/payloads.py --out brine-bench/target/bench/payloads            # the full set
    python3 bench/payloads.py --out DIR --scale 0.01                             # a quick set
    python3 bench/payloads.py --out DIR --scaling                                # plus the scaling series

--scale multiplies every count (and the byte sizes); --scaling adds payloads 1 and 4 at three sizes
ten times apart (ints: 100k/1M/10M items; records: 100k/1M/10M records of five fields) at protocol 5,
for the linear-scaling goal. The 10M records take about a minute to build and pickle (707 MB; CPython
needs about 6.5 GB of memory for them).
"""
import argparse
import collections
import datetime
import decimal
import json
import math
import os
import pickle
import random
import sys

PROTOCOLS = (2, 5)


def small_ints(n, rng):
    # A mix that needs BININT1, BININT2 and BININT, as real counters and ids do.
    return [rng.randrange(0, 100_000) for _ in range(n)]


def floats(n, rng):
    return [rng.random() * 1e6 for _ in range(n)]


WORDS = ["alpha", "beta", "gamma", "delta", "café", "naïve", "東京", "zeta", "omega", "x"]


def short_strings(n, rng):
    # Distinct strings (so each is written and memoized), about one in ten with non-ASCII letters.
    return [f"{rng.choice(WORDS)}_{i}" for i in range(n)]


def records(n, rng):
    # Five fields: str keys (shared, so memo fetches after the first record); int, str and float values.
    return [{"id": i, "name": f"user{i}", "email": f"user{i}@example.org",
             "score": rng.random() * 100, "visits": rng.randrange(0, 5000)} for i in range(n)]


def tree(depth, rng):
    """A nested tree of tuples and lists, alternating by level, four children a node, small leaves."""
    if depth == 0:
        pick = rng.randrange(3)
        return rng.randrange(0, 1000) if pick == 0 else (rng.random() if pick == 1 else f"leaf{rng.randrange(100)}")
    children = [tree(depth - 1, rng) for _ in range(4)]
    return tuple(children) if depth % 2 else children


def tree_size(depth):
    return sum(4 ** d for d in range(depth + 1))


def large_bytes(n, rng):
    return rng.randbytes(n)


def numpy_array(n):
    import numpy as np
    return np.random.default_rng(7).random(n)


def write(out, name, value, protocols, manifest, **meta):
    for p in protocols:
        data = pickle.dumps(value, protocol=p)
        path = os.path.join(out, f"{name}-p{p}.pickle")
        with open(path, "wb") as f:
            f.write(data)
        manifest.append(dict(meta, name=f"{name}-p{p}", payload=name, protocol=p, file=os.path.basename(path),
                             bytes=len(data)))
        print(f"  {name}-p{p}: {len(data):,} bytes", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--scaling", action="store_true", help="also write the 100k/1M/10M scaling series")
    ap.add_argument("--scaling-scale", type=float, default=1.0, help="multiplies the scaling series counts")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    s = args.scale
    n = lambda count: max(10, int(count * s))
    manifest = []

    print(f"payloads at scale {s} into {args.out}", file=sys.stderr)
    write(args.out, "ints", small_ints(n(1_000_000), random.Random(1)), PROTOCOLS, manifest,
          title="1M small ints", items=n(1_000_000))
    write(args.out, "floats", floats(n(1_000_000), random.Random(2)), PROTOCOLS, manifest,
          title="1M floats", items=n(1_000_000))
    write(args.out, "strings", short_strings(n(200_000), random.Random(3)), PROTOCOLS, manifest,
          title="200k short str", items=n(200_000))
    write(args.out, "records", records(n(100_000), random.Random(4)), PROTOCOLS, manifest,
          title="100k record dicts", items=n(100_000))
    # Depth 9 gives about 350k nodes; a smaller scale takes off one level per factor of four.
    depth = max(2, 9 + round(math.log(s, 4))) if s < 1 else 9
    write(args.out, "tree", tree(depth, random.Random(5)), PROTOCOLS, manifest,
          title=f"tuple/list tree ({tree_size(depth):,} nodes)", items=tree_size(depth))
    size = max(1024, int(64 * 1024 * 1024 * s))
    write(args.out, "bytes", large_bytes(size, random.Random(6)), PROTOCOLS, manifest,
          title=f"one {size / 2**20:.3g} MiB bytes", items=1, large=True, payload_bytes=size)
    try:
        count = max(16, int(16 * 1024 * 1024 * s))
        write(args.out, "numpy", numpy_array(count), PROTOCOLS, manifest,
              title=f"{count / 2**20:.3g}Mi float64 ndarray", items=count, large=True, payload_bytes=8 * count)
    except ImportError:
        print("  numpy: not installed here, skipped", file=sys.stderr)

    if args.scaling:
        for count in (100_000, 1_000_000, 10_000_000):
            c = max(10, int(count * args.scaling_scale))
            write(args.out, f"scale-ints-{c}", small_ints(c, random.Random(1)), (5,), manifest,
                  title=f"{c:,} small ints", items=c, series="ints")
        for count in (100_000, 1_000_000, 10_000_000):
            c = max(10, int(count * args.scaling_scale))
            write(args.out, f"scale-records-{c}", records(c, random.Random(4)), (5,), manifest,
                  title=f"{c:,} records", items=c, series="records")

    # A small, typical pickle for the start-up measurement: the first loads in a fresh JVM.
    write(args.out, "small", {"name": "brine", "version": (0, 1), "tags": ["a", "b"], "ratio": 0.5,
                              "blob": b"\x00\x01", "none": None, "ok": True}, (5,), manifest,
          title="small dict", items=7)
    # The same, naming globals the reader maps to Java types, so the first loads also initializes that registry.
    write(args.out, "small-globals", {"day": datetime.date(2026, 11, 24), "price": decimal.Decimal("9.90"),
                                      "seen": {1, 2}, "order": collections.OrderedDict(a=1)}, (5,), manifest,
          title="small dict with globals", items=4)

    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump({"python": sys.version.split()[0], "scale": s, "payloads": manifest}, f, indent=1)


if __name__ == "__main__":
    main()
