#!/usr/bin/env python3
"""Turns one bench/compare run's results into the table and the goal report (Markdown, on stdout).

    python3 bench/report.py OUT_DIR

OUT_DIR holds payloads/manifest.json, jmh-*.json (JMH's JSON results), cpython-pymalloc.json and
cpython-malloc.json (CPython with each allocator; the faster of the two counts), heap.jsonl, startup.jsonl and
env.json, as bench/compare writes them. MB/s is the pickle file's size (10^6 bytes) over the time of one
loads or dumps; the ratios are Brine's speed over the other contender's, so above 1 means Brine is faster.
"""
import glob
import json
import os
import statistics
import sys


def load_jmh(out):
    """{(benchmark, payload, contender): ms/op}; also {bytes: ms} for the arraycopy runs. The runs on G1
    (jmh-*-g1.json) key Brine's loads with the contender "brine-g1", and the scaling run with a large young
    generation (jmh-*-young.json) with "brine-young"."""
    scores, copies = {}, {}
    for path in sorted(glob.glob(os.path.join(out, "jmh-*.json"))):
        base = os.path.basename(path)
        suffix = "-g1" if base.endswith("-g1.json") else "-young" if base.endswith("-young.json") else ""
        with open(path) as f:
            text = f.read().strip()
        if not text:
            continue
        for r in json.loads(text):
            bench = r["benchmark"].rsplit(".", 1)[-1]
            ms = r["primaryMetric"]["score"]
            params = r.get("params", {})
            if bench == "arraycopy":
                copies[int(params["bytes"])] = ms
            else:
                scores[(bench, params["payload"], params["contender"] + suffix)] = ms
    return scores, copies


def load_cpython(out):
    """{payload: {"loads_ms", "dumps_ms", "loads_alloc", "dumps_alloc"}}: the faster of CPython's runs (one a
    cpython-ALLOCATOR.json) for each figure, and which allocator that was."""
    best = {}
    for path in sorted(glob.glob(os.path.join(out, "cpython*.json"))):
        alloc = os.path.basename(path)[len("cpython"):-len(".json")].lstrip("-") or "default"
        with open(path) as f:
            text = f.read().strip()
        if not text:
            continue
        for r in json.loads(text)["results"]:
            b = best.setdefault(r["name"], {})
            for op in ("loads", "dumps"):
                if op + "_ms" not in b or r[op + "_ms"] < b[op + "_ms"]:
                    b[op + "_ms"], b[op + "_alloc"] = r[op + "_ms"], alloc
    return best


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def fmt_rate(v):
    if v is None:
        return "—"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def fmt_ratio(v):
    return "—" if v is None else f"{v:.2f}×"


def rate(size, ms):
    return None if ms is None or ms <= 0 else size / 1e6 / (ms / 1e3)


def ratio(a, b):
    return None if a is None or b is None else a / b


def main():
    out = sys.argv[1]
    with open(os.path.join(out, "payloads", "manifest.json")) as f:
        manifest = json.load(f)
    payloads = manifest["payloads"]
    scores, copies = load_jmh(out)
    cpython = load_cpython(out)
    env = {}
    if os.path.exists(os.path.join(out, "env.json")):
        with open(os.path.join(out, "env.json")) as f:
            env = json.load(f)
    heap = read_jsonl(os.path.join(out, "heap.jsonl"))
    startup = read_jsonl(os.path.join(out, "startup.jsonl"))

    p = print
    if env:
        p(f"- Date: {env.get('date')}")
        p(f"- Command: `{env.get('command')}`")
        p(f"- Machine: {env.get('cpu')}, {env.get('cores')} cores, {env.get('memory')} RAM, {env.get('os')}")
        p(f"- JVM: {env.get('java')}; JMH {env.get('jmh')}; CPython {env.get('python')} (C `_pickle`)")
        p(f"- Payload scale: {manifest.get('scale')}")
        p("")

    main_rows = [x for x in payloads if "series" not in x and not x["payload"].startswith("small")]
    p("| payload | proto | MB | loads MB/s: Brine | Pyrolite | CPython | Brine/Pyrolite | Brine/CPython "
      "| dumps MB/s: Brine | Pyrolite | CPython | Brine/Pyrolite | Brine/CPython |")
    p("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    goal_pyro, goal_cpy = [], []
    for x in main_rows:
        n, size = x["name"], x["bytes"]
        bl = rate(size, scores.get(("loads", n, "brine")))
        pl = rate(size, scores.get(("loads", n, "pyrolite")))
        cl = rate(size, cpython.get(n, {}).get("loads_ms"))
        bd = rate(size, scores.get(("dumps", n, "brine")))
        pd = rate(size, scores.get(("dumps", n, "pyrolite"))) if x["protocol"] == 2 else None
        cd = rate(size, cpython.get(n, {}).get("dumps_ms"))
        rows = [ratio(bl, pl), ratio(bl, cl), ratio(bd, pd), ratio(bd, cd)]
        for r, what, bucket in ((rows[0], "loads", goal_pyro), (rows[2], "dumps", goal_pyro),
                                (rows[1], "loads", goal_cpy), (rows[3], "dumps", goal_cpy)):
            if r is not None:
                bucket.append((r, f"{what} {n}"))
        pl_s = fmt_rate(pl) if pl is not None else ("fails" if ("loads", n, "brine") in scores else "—")
        pd_s = fmt_rate(pd) if pd is not None else ("p2 only" if x["protocol"] != 2 else "fails")
        p(f"| {x['title']} | {x['protocol']} | {size / 1e6:.1f} | {fmt_rate(bl)} | {pl_s} | {fmt_rate(cl)} "
          f"| {fmt_ratio(rows[0])} | {fmt_ratio(rows[1])} | {fmt_rate(bd)} | {pd_s} | {fmt_rate(cd)} "
          f"| {fmt_ratio(rows[2])} | {fmt_ratio(rows[3])} |")
    p("")
    p("Pyrolite writes protocol 2 only, so its dumps are compared on the protocol 2 rows. "
      "\"fails\": Pyrolite raised an exception on that payload (numpy arrays need constructors it does not have).")
    allocs = sorted({b[op + "_alloc"] for b in cpython.values() for op in ("loads", "dumps")})
    if len(allocs) > 1:
        by = {a: [f"{op} {x['name']}" for x in main_rows if x["name"] in cpython
                  for op in ("loads", "dumps") if cpython[x["name"]][op + "_alloc"] == a] for a in allocs}
        fewer = min(by, key=lambda a: len(by[a]))
        p("")
        p(f"CPython's figure is the faster of its runs with each allocator: {fewer} for "
          f"{', '.join(by[fewer]) or 'none'}; {' and '.join(a for a in allocs if a != fewer)} for the rest.")
    p("")

    goal_fresh = []
    if any(k[0] == "dumpsFresh" for k in scores):
        p("Brine's first dump of a value it has just loaded (the JVM gives an object its identity hash the first "
          "time it is asked for, and the memo asks for one of every container and str), against the repeated dump "
          "of one value in the table above:")
        p("")
        p("| payload | proto | Brine dumps MB/s, same value again | first dump of a fresh value | first / again "
          "| CPython | first dump / CPython |")
        p("|---|---|--:|--:|--:|--:|--:|")
        for x in main_rows:
            n, size = x["name"], x["bytes"]
            fd = rate(size, scores.get(("dumpsFresh", n, "brine")))
            if fd is None:
                continue
            bd = rate(size, scores.get(("dumps", n, "brine")))
            cd = rate(size, cpython.get(n, {}).get("dumps_ms"))
            r = ratio(fd, cd)
            if r is not None:
                goal_fresh.append((r, f"dumps {n}"))
            p(f"| {x['title']} | {x['protocol']} | {fmt_rate(bd)} | {fmt_rate(fd)} | {fmt_ratio(ratio(fd, bd))} "
              f"| {fmt_rate(cd)} | {fmt_ratio(r)} |")
        p("")

    if any(k[2] == "brine-g1" for k in scores):
        p("Brine's loads on the JVM's default collector (G1) against the throughput collector (ParallelGC), same heap:")
        p("")
        p("| payload | proto | Brine loads MB/s, ParallelGC | Brine loads MB/s, G1 | G1/CPython |")
        p("|---|---|--:|--:|--:|")
        for x in main_rows:
            n, size = x["name"], x["bytes"]
            bl = rate(size, scores.get(("loads", n, "brine")))
            gl = rate(size, scores.get(("loads", n, "brine-g1")))
            cl = rate(size, cpython.get(n, {}).get("loads_ms"))
            p(f"| {x['title']} | {x['protocol']} | {fmt_rate(bl)} | {fmt_rate(gl)} | {fmt_ratio(ratio(gl, cl))} |")
        p("")

    # Large binary payloads against System.arraycopy, and heap.
    p("| large payload | proto | payload MB | Brine loads MB/s | zero-copy loads MB/s | arraycopy MB/s "
      "| Brine / arraycopy | zero-copy / arraycopy |")
    p("|---|---|--:|--:|--:|--:|--:|--:|")
    goal_bw = []
    for x in main_rows:
        if not x.get("large") or x["protocol"] == 2:
            continue
        pb = x["payload_bytes"]
        copy = rate(pb, copies.get(pb))
        bl = rate(pb, scores.get(("loads", x["name"], "brine")))
        zl = rate(pb, scores.get(("loads", x["name"], "brineZeroCopy")))
        r, rz = ratio(bl, copy), ratio(zl, copy)
        if r is not None:
            goal_bw.append((r, x["name"]))
        pct = lambda v: "—" if v is None else ("no copy" if v > 100 else f"{100 * v:.0f}%")
        zl_s = "no copy" if zl is not None and copy is not None and zl > 100 * copy else fmt_rate(zl)
        p(f"| {x['title']} | {x['protocol']} | {pb / 1e6:.1f} | {fmt_rate(bl)} | {zl_s} | {fmt_rate(copy)} "
          f"| {pct(r)} | {pct(rz)} |")
    p("")
    goal_heap = []
    if heap:
        p("| heap while loading | contender | payload MB | allocated by the load | × payload | held by the result after GC |")
        p("|---|---|--:|--:|--:|--:|")
        sizes = {x["name"]: x.get("payload_bytes", x["bytes"]) for x in payloads}
        for h in heap:
            pb = sizes.get(h["payload"], h["input"])
            factor = h["allocated"] / pb
            if h["contender"] == "brine":
                goal_heap.append((factor, h["payload"]))
            p(f"| {h['payload']} | {h['contender']} | {pb / 1e6:.1f} | {h['allocated'] / 1e6:.1f} MB | {factor:.2f}× "
              f"| {h['retained'] / 1e6:.1f} MB |")
        p("")

    # Linear scaling: on the 3 GiB heap of every other run, and with a young generation that holds the results
    # (the scaling-young run), which separates Brine's own work from the collector copying a large live result.
    goal_scale = {"brine": [], "brine-young": []}
    series = {}
    for x in payloads:
        if "series" in x:
            series.setdefault(x["series"], []).append(x)
    if series:
        p("| scaling | items | MB | heap | Brine loads ms | × previous | Brine dumps ms | × previous |")
        p("|---|--:|--:|---|--:|--:|--:|--:|")
        for name, xs in series.items():
            for contender, heap in (("brine", "3 GiB"), ("brine-young", "10 GiB young")):
                prev = {}
                for x in sorted(xs, key=lambda x: x["items"]):
                    cells = []
                    for op in ("loads", "dumps"):
                        ms = scores.get((op, x["name"], contender))
                        step = ratio(ms, prev.get(op)) if op in prev else None
                        if step is not None:
                            goal_scale[contender].append((step, f"{op} {name} {prev[op + 'n']:,}→{x['items']:,}"))
                        cells += ["—" if ms is None else f"{ms:,.2f}", "—" if step is None else f"{step:.2f}×"]
                        prev[op], prev[op + "n"] = ms, x["items"]
                    p(f"| {name} | {x['items']:,} | {x['bytes'] / 1e6:.1f} | {heap} | " + " | ".join(cells) + " |")
        p("")

    goal_start = None
    if startup:
        for name in dict.fromkeys(s.get("payload", "small-p5") for s in startup):
            runs = [s for s in startup if s.get("payload", "small-p5") == name]
            firsts = [s["first_ms"] for s in runs]
            size = next((x["bytes"] for x in payloads if x["name"] == name), 0)
            p(f"First `Pickle.loads` of `{name}` ({size} bytes) in a fresh JVM, {len(firsts)} JVMs: median "
              f"{statistics.median(firsts):.1f} ms, max {max(firsts):.1f} ms (the second loads: median "
              f"{statistics.median(s['second_ms'] for s in runs):.2f} ms).")
            if goal_start is None or statistics.median(firsts) > goal_start[0]:
                goal_start = (statistics.median(firsts), max(firsts), name)
        p("")

    p("## Goals")
    p("")
    p("| goal | target | worst measured | where | status |")
    p("|---|---|--:|---|---|")

    def goal(label, target, items, higher_is_better, limit, fmt):
        if not items:
            p(f"| {label} | {target} | — | not measured | — |")
            return
        worst = min(items) if higher_is_better else max(items)
        met = worst[0] >= limit if higher_is_better else worst[0] <= limit
        p(f"| {label} | {target} | {fmt(worst[0])} | {worst[1]} | {'met' if met else 'NOT met'} |")

    times = lambda v: f"{v:.2f}×"
    goal("Brine vs Pyrolite", "≥ 3×", goal_pyro, True, 3.0, times)
    goal("Brine vs CPython C _pickle", "≥ 1.0×", goal_cpy, True, 1.0, times)
    goal("Brine vs CPython C _pickle, first dump of a freshly loaded value", "≥ 1.0×", goal_fresh, True, 1.0, times)
    goal("Large binary loads vs arraycopy", "≥ 50%", goal_bw, True, 0.5, lambda v: f"{100 * v:.0f}%")
    goal("Extra heap while loading a large payload", "≤ 1.2× payload", goal_heap, False, 1.2, times)
    goal("Linear scaling (time for 10× data), young generation holding the result", "≤ 11×",
         goal_scale["brine-young"], False, 11.0, times)
    goal("Linear scaling (time for 10× data), 3 GiB heap", "≤ 11×", goal_scale["brine"], False, 11.0, times)
    if goal_start:
        met = goal_start[0] < 50
        p(f"| First small loads in a fresh JVM | < 50 ms | {goal_start[0]:.1f} ms median, {goal_start[1]:.1f} ms max "
          f"| {goal_start[2]} | {'met' if met else 'NOT met'} |")


if __name__ == "__main__":
    main()
