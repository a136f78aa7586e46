#!/usr/bin/env python3
"""Times CPython's C pickler (_pickle) on the benchmark payloads with timeit.

For each payload file: pickle.loads of its bytes, and pickle.dumps of the loaded value at the file's protocol.
Each figure is the best of several timeit repeats (timeit's usual convention, which favours CPython: noise only
ever makes a run slower), with timeit's default of the garbage collector off during timing. bench/compare runs it
twice, with pymalloc and with PYTHONMALLOC=malloc, and takes the faster figure; both times glibc's malloc is told
to keep freed memory (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_), the counterpart of the JVM's
pre-touched heap, so that CPython does not wait for fresh pages from the kernel.

    python3 bench/cpython_timeit.py --payloads DIR [--quick] [--only NAME,...] > cpython.json
"""
import argparse
import json
import os
import pickle
import sys
import timeit

import _pickle


def best_seconds(fn, repeat, min_time):
    timer = timeit.Timer(fn)
    number = 1
    # As Timer.autorange, but to a chosen minimum time per repeat.
    while True:
        t = timer.timeit(number)
        if t >= min_time:
            break
        number *= 2 if t * 4 >= min_time else 10
    runs = [t / number] + [x / number for x in timer.repeat(repeat=repeat - 1, number=number)]
    return min(runs), number


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--payloads", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    # Make sure the C accelerator is what runs, not pickle.py.
    assert pickle.loads is _pickle.loads and pickle.dumps is _pickle.dumps, "the C _pickle is not in use"
    with open(os.path.join(args.payloads, "manifest.json")) as f:
        manifest = json.load(f)
    only = set(filter(None, args.only.split(",")))
    repeat, min_time = (1, 0.02) if args.quick else (5, 0.5)
    results = []
    for p in manifest["payloads"]:
        if only and p["name"] not in only:
            continue
        with open(os.path.join(args.payloads, p["file"]), "rb") as f:
            data = f.read()
        loads_s, loads_n = best_seconds(lambda: pickle.loads(data), repeat, min_time)
        value = pickle.loads(data)
        proto = p["protocol"]
        dumps_s, dumps_n = best_seconds(lambda: pickle.dumps(value, proto), repeat, min_time)
        del value
        results.append({"name": p["name"], "loads_ms": loads_s * 1e3, "dumps_ms": dumps_s * 1e3,
                        "loads_number": loads_n, "dumps_number": dumps_n})
        print(f"  cpython {p['name']}: loads {loads_s * 1e3:.3f} ms, dumps {dumps_s * 1e3:.3f} ms", file=sys.stderr)
    json.dump({"python": sys.version.split()[0], "results": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
