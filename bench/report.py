#!/usr/bin/env python3
"""Turns one bench/compare run's results into the tables and the goal report (Markdown, on stdout).

    python3 bench/report.py OUT_DIR

OUT_DIR holds payloads/manifest.json, jmh-*.json (JMH's JSON results; jmh-*-par.json are the ParallelGC runs),
cpython-pymalloc.json and cpython-malloc.json (CPython with each allocator; the faster of the two counts),
heap.jsonl, startup.jsonl and env.json, as bench/compare writes them. MB/s is the pickle file's size (10^6 bytes)
over the time of one loads or dumps; the ratios are Brine's speed over the other contender's, so above 1 means
Brine is faster. Every goal's status and margin is computed here from the run.
"""
import glob
import json
import os
import re
import statistics
import sys

# The payloads of many objects, the ones the Pyrolite and allocation goals are about.
MANY = ("ints", "floats", "strings", "records", "tree")


def load_jmh(out):
    """({(benchmark, payload, contender): ms/op}, {bytes: ms} for arraycopy, {(payload, contender): bytes/op} from
    JMH's gc profiler, {(benchmark, payload, contender): JMH mode}). The ParallelGC runs (jmh-*-par.json) key their
    contenders "CONTENDER-par"; every other run is the headline configuration."""
    scores, copies, alloc, modes = {}, {}, {}, {}
    for path in sorted(glob.glob(os.path.join(out, "jmh-*.json"))):
        suffix = "-par" if os.path.basename(path).endswith("-par.json") else ""
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
                continue
            key = (bench, params["payload"], params["contender"] + suffix)
            scores[key], modes[key] = ms, r.get("mode")
            for name, metric in r.get("secondaryMetrics", {}).items():
                if name.lstrip("·") == "gc.alloc.rate.norm":
                    alloc[key[1:]] = metric["score"]
    return scores, copies, alloc, modes


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


def jmh_failures(out):
    """{(benchmark, payload): the error's first line} for the benchmarks a JMH log reports as failed (such as an
    OutOfMemoryError): the first exception named after a failed iteration."""
    failed = {}
    for path in sorted(glob.glob(os.path.join(out, "jmh-*.log"))):
        bench = payload = None
        failing = False
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"# Benchmark: \S*\.(\w+)$", line.strip())
                if m:
                    bench, failing = m.group(1), False
                m = re.match(r"# Parameters: \(.*payload = ([^,)]+)", line)
                if m:
                    payload, failing = m.group(1), False
                if "<failure>" in line:
                    failing = True
                elif failing and re.match(r"[\w.$]+(Error|Exception)\b", line.strip()):
                    failed.setdefault((bench, payload), line.strip()[:160])
                    failing = False
    return failed


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


def fmt_bytes(v):
    return "—" if v is None else f"{v / 1e6:,.1f} MB" if v >= 1e6 else f"{v / 1e3:,.1f} kB"


def rate(size, ms):
    return None if ms is None or ms <= 0 else size / 1e6 / (ms / 1e3)


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def main():
    out = sys.argv[1]
    with open(os.path.join(out, "payloads", "manifest.json")) as f:
        manifest = json.load(f)
    payloads = manifest["payloads"]
    scores, copies, alloc, modes = load_jmh(out)
    cpython = load_cpython(out)
    failed = jmh_failures(out)
    env = {}
    if os.path.exists(os.path.join(out, "env.json")):
        with open(os.path.join(out, "env.json")) as f:
            env = json.load(f)
    heap = read_jsonl(os.path.join(out, "heap.jsonl"))
    startup = read_jsonl(os.path.join(out, "startup.jsonl"))
    ms = lambda op, n, c: scores.get((op, n, c))

    p = print
    if env:
        p(f"- Date: {env.get('date')}")
        p(f"- Command: `{env.get('command')}`")
        p(f"- Machine: {env.get('cpu')}, {env.get('cores')} cores, {env.get('memory')} RAM, {env.get('os')}")
        p(f"- JVM: {env.get('java')}; JMH {env.get('jmh')}; CPython {env.get('python')} (C `_pickle`)")
        p(f"- Payload scale: {manifest.get('scale')}")
        p("- Headline: the JVM's defaults (G1), `-Xmx4g` only. ParallelGC: `-Xms3g -Xmx3g -XX:+UseParallelGC "
          "-XX:+UseTransparentHugePages -XX:+AlwaysPreTouch`.")
        p("")

    main_rows = [x for x in payloads if "series" not in x and not x["payload"].startswith("small")]
    large_p5 = lambda x: x.get("large") and x["protocol"] != 2  # judged against System.arraycopy instead of CPython
    goal_cpy_loads, goal_cpy_dumps, goal_pyro = [], [], []

    p("| payload | proto | MB | loads MB/s: Brine | Brine, ParallelGC | Pyrolite | Pyrolite, ParallelGC | CPython "
      "| Brine/CPython | Brine/Pyrolite | dumps MB/s: Brine, first dump | Brine, re-dump | re-dump, ParallelGC "
      "| Pyrolite | CPython | first dump/CPython | re-dump/CPython | Brine/Pyrolite |")
    p("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for x in main_rows:
        n, size = x["name"], x["bytes"]
        r = lambda op, c: rate(size, ms(op, n, c))
        bl, blp, pl, plp = r("loads", "brine"), r("loads", "brine-par"), r("loads", "pyrolite"), r("loads", "pyrolite-par")
        cl = rate(size, cpython.get(n, {}).get("loads_ms"))
        fd, bd, bdp = r("dumpsFresh", "brine"), r("dumps", "brine"), r("dumps", "brine-par")
        pd = r("dumps", "pyrolite") if x["protocol"] == 2 else None
        cd = rate(size, cpython.get(n, {}).get("dumps_ms"))
        # Like for like against Pyrolite: its dumps are of one value again and again too.
        l_cpy, l_pyro, f_cpy, d_cpy, d_pyro = ratio(bl, cl), ratio(bl, pl), ratio(fd, cd), ratio(bd, cd), ratio(bd, pd)
        if not large_p5(x):
            if l_cpy is not None:
                goal_cpy_loads.append((l_cpy, f"loads {n}"))
            if f_cpy is not None:
                goal_cpy_dumps.append((f_cpy, f"first dump {n}"))
        if x["payload"] in MANY:
            for v, what in ((l_pyro, "loads"), (d_pyro, "dumps")):
                if v is not None:
                    goal_pyro.append((v, f"{what} {n}"))
        failed_s = lambda c: "fails" if ("loads", n, c.replace("pyrolite", "brine")) in scores else "—"
        pl_s = fmt_rate(pl) if pl is not None else failed_s("pyrolite")
        plp_s = fmt_rate(plp) if plp is not None else failed_s("pyrolite-par")
        pd_s = fmt_rate(pd) if pd is not None else ("p2 only" if x["protocol"] != 2 else "fails")
        p(f"| {x['title']} | {x['protocol']} | {size / 1e6:.1f} | {fmt_rate(bl)} | {fmt_rate(blp)} | {pl_s} | {plp_s} "
          f"| {fmt_rate(cl)} | {fmt_ratio(l_cpy)} | {fmt_ratio(l_pyro)} | {fmt_rate(fd)} | {fmt_rate(bd)} "
          f"| {fmt_rate(bdp)} | {pd_s} | {fmt_rate(cd)} | {fmt_ratio(f_cpy)} | {fmt_ratio(d_cpy)} "
          f"| {fmt_ratio(d_pyro)} |")
    p("")
    p("Every column is the headline configuration unless it says ParallelGC. \"First dump\" (`dumpsFresh`) writes a "
      "value loaded (and moved to the old generation) just before, whose objects have no identity hash yet: the "
      "dumps figure against CPython. \"Re-dump\" writes one value again and again, and Brine/Pyrolite compares "
      "re-dumps with Pyrolite's dumps, which also write one value again and again. Pyrolite writes protocol 2 "
      "only, so its dumps are compared on the protocol 2 rows. \"fails\": Pyrolite raised an exception on that "
      "payload (numpy arrays need constructors it does not have).")
    allocs = sorted({b[op + "_alloc"] for b in cpython.values() for op in ("loads", "dumps")})
    if len(allocs) > 1:
        by = {a: [f"{op} {x['name']}" for x in main_rows if x["name"] in cpython
                  for op in ("loads", "dumps") if cpython[x["name"]][op + "_alloc"] == a] for a in allocs}
        fewer = min(by, key=lambda a: len(by[a]))
        p("")
        p(f"CPython's figure is the faster of its runs with each allocator: {fewer} for "
          f"{', '.join(by[fewer]) or 'none'}; {' and '.join(a for a in allocs if a != fewer)} for the rest.")
    p("")

    # The single large bytes and ndarray rows against one System.arraycopy of the payload: time over time.
    p("| large payload | proto | payload MB | arraycopy ms | Brine loads ms | loads / arraycopy | zero-copy loads ms "
      "| Brine dumps ms | dumps / arraycopy | loads ms, ParallelGC | dumps ms, ParallelGC |")
    p("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    goal_copy = []
    fmt_ms = lambda v: "—" if v is None else f"{v:,.2f}"
    for x in main_rows:
        if not large_p5(x):
            continue
        n, pb = x["name"], x["payload_bytes"]
        copy = copies.get(pb)
        bl, zl, bd = ms("loads", n, "brine"), ms("loads", n, "brineZeroCopy"), ms("dumps", n, "brine")
        rl, rd = ratio(bl, copy), ratio(bd, copy)
        for v, what in ((rl, "loads"), (rd, "dumps")):
            if v is not None:
                goal_copy.append((v, f"{what} {n}"))
        p(f"| {x['title']} | {x['protocol']} | {pb / 1e6:.1f} | {fmt_ms(copy)} | {fmt_ms(bl)} | {fmt_ratio(rl)} "
          f"| {fmt_ms(zl)} | {fmt_ms(bd)} | {fmt_ratio(rd)} | {fmt_ms(ms('loads', n, 'brine-par'))} "
          f"| {fmt_ms(ms('dumps', n, 'brine-par'))} |")
    p("")
    p("Time over time: 1.00× is one `System.arraycopy` of the payload into an array allocated beforehand. The "
      "large rows' dumps write one value again and again (one object: one identity hash, so `dumpsFresh` "
      "is not run on them).")
    p("")

    # Allocation: JMH's gc profiler (bytes per loads call, warmed up) against what HeapProbe finds the result retains.
    goal_alloc = []
    retained = {h["payload"]: h for h in heap if h["contender"] == "brine"}
    rows = [x for x in main_rows if x["payload"] in MANY]
    if rows and (alloc or retained):
        p("| allocation | proto | items | allocated per loads (JMH gc) | retained by the result | allocated / retained "
          "| allocated per item | HeapProbe: one load allocates |")
        p("|---|---|--:|--:|--:|--:|--:|--:|")
        for x in rows:
            n = x["name"]
            a = alloc.get((n, "brine"))
            h = retained.get(n)
            ret = h["retained"] if h else None
            q = ratio(a, ret)
            if q is not None:
                goal_alloc.append((q, n))
            per = None if a is None else a / x["items"]
            p(f"| {x['title']} | {x['protocol']} | {x['items']:,} | {fmt_bytes(a)} | {fmt_bytes(ret)} | {fmt_ratio(q)} "
              f"| {'—' if per is None else f'{per:.0f} B'} | {fmt_bytes(h['allocated'] if h else None)} |")
        p("")
        p("Allocated: JMH's `gc` profiler (`gc.alloc.rate.norm`) on the headline loads run. Retained: `HeapProbe`, "
          "the heap in use after full collections with the result reachable, less the same before the load.")
        p("")

    large_heap = [h for h in heap if any(h["payload"] == x["name"] and large_p5(x) for x in main_rows)]
    goal_heap = []
    if large_heap:
        p("| heap while loading | contender | payload MB | allocated by the load | × payload | held by the result after GC |")
        p("|---|---|--:|--:|--:|--:|")
        sizes = {x["name"]: x.get("payload_bytes", x["bytes"]) for x in payloads}
        for h in large_heap:
            pb = sizes.get(h["payload"], h["input"])
            factor = h["allocated"] / pb
            if h["contender"] == "brine":
                goal_heap.append((factor, h["payload"]))
            p(f"| {h['payload']} | {h['contender']} | {pb / 1e6:.1f} | {h['allocated'] / 1e6:.1f} MB | {factor:.2f}× "
              f"| {h['retained'] / 1e6:.1f} MB |")
        p("")

    # Linear scaling, headline configuration with -Xmx8g.
    goal_scale = []
    series = {}
    for x in payloads:
        if "series" in x:
            series.setdefault(x["series"], []).append(x)
    if series:
        p("| scaling (G1, -Xmx8g) | items | MB | Brine loads ms | × previous | Brine dumps ms | × previous | JMH mode |")
        p("|---|--:|--:|--:|--:|--:|--:|---|")
        for name, xs in series.items():
            prev = {}
            for x in sorted(xs, key=lambda x: x["items"]):
                cells, mode = [], set()
                for op in ("loads", "dumps"):
                    key = next((k for k in scores if k[0] == op and k[1] == x["name"]), None)
                    t = scores.get(key) if key else None
                    if key:
                        mode.add({"avgt": "average time", "ss": "single shot"}.get(modes.get(key), modes.get(key)))
                    step = ratio(t, prev.get(op))
                    if step is not None:
                        goal_scale.append((step, f"{op} {name} {prev[op + 'n']:,}→{x['items']:,}"))
                    why = failed.get((op, x["name"]))
                    cell = f"{t:,.2f}" if t is not None else (f"failed: {why}" if why else "—")
                    cells += [cell, "—" if step is None else f"{step:.2f}×"]
                    prev[op], prev[op + "n"] = t, x["items"]
                p(f"| {name} | {x['items']:,} | {x['bytes'] / 1e6:.1f} | " + " | ".join(cells)
                  + f" | {', '.join(sorted(mode)) or '—'} |")
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

    p("## Goals (issue #22), from this run")
    p("")
    p("| goal | target | worst measured | where | status | margin |")
    p("|---|---|--:|---|---|--:|")

    def goal(label, target, items, higher_is_better, limit, fmt, missing=()):
        """One row: the worst item, met or not, and the margin (how far the worst is inside the target, or short
        of it), as a percentage of the target."""
        if not items:
            p(f"| {label} | {target} | — | not measured | — | — |")
            return
        worst = min(items) if higher_is_better else max(items)
        met = worst[0] >= limit if higher_is_better else worst[0] <= limit
        margin = (worst[0] / limit - 1) if higher_is_better else (1 - worst[0] / limit)
        status = "met" if met and not missing else "NOT met"
        if missing:  # a size that failed (or was not run) cannot count as met
            status += f" (no figure for {'; '.join(missing)})"
        p(f"| {label} | {target} | {fmt(worst[0])} | {worst[1]} | {status} | {100 * margin:+.0f}% |")

    times = lambda v: f"{v:.2f}×"
    goal("Loads vs CPython C _pickle, every payload but the large p5 rows", "≥ 1.0×", goal_cpy_loads, True, 1.0, times)
    goal("First dumps vs CPython C _pickle, every payload but the large p5 rows", "≥ 1.0×", goal_cpy_dumps, True, 1.0,
         times)
    goal("Large bytes/ndarray p5 rows, loads and dumps: time / one arraycopy", "≤ 1.25×", goal_copy, False, 1.25, times)
    goal("Brine vs Pyrolite on ints, floats, str, records, tree (loads; dumps at p2)", "≥ 3×", goal_pyro, True, 3.0,
         times)
    missing_scale = [f"{op} {x['name']}" + (f": {failed[(op, x['name'])]}" if (op, x["name"]) in failed else "")
                     for xs in series.values() for x in xs for op in ("loads", "dumps")
                     if not any(k[0] == op and k[1] == x["name"] for k in scores)]
    goal("Scaling: time for 10× the data (G1, -Xmx8g)", "≤ 11×", goal_scale, False, 11.0, times, missing_scale)
    goal("Allocation per load / what the result retains", "≤ 1.5×", goal_alloc, False, 1.5, times)
    if goal_start:
        met = goal_start[0] < 50
        p(f"| First small loads in a fresh JVM (median) | < 50 ms | {goal_start[0]:.1f} ms (max {goal_start[1]:.1f}) "
          f"| {goal_start[2]} | {'met' if met else 'NOT met'} | {100 * (1 - goal_start[0] / 50):+.0f}% |")
    else:
        p("| First small loads in a fresh JVM (median) | < 50 ms | — | not measured | — | — |")
    goal("Earlier goal: extra heap while loading a large payload", "≤ 1.2× payload", goal_heap, False, 1.2, times)
    p("")
    p("Margin: how far the worst case is inside the target (+) or short of it (−), as a share of the target.")


if __name__ == "__main__":
    main()
