#!/usr/bin/env python3
"""Prints bench/torch_compare's table from its results directory, and checks that both sides read the same values.

    python3 bench/torch_report.py brine-bench/target/bench/torch-results/full

Reads runs.jsonl (one JSON object a probe process, Brine's and torch's alternating), capped.jsonl (Brine under a
heap cap of a tenth of the file), big.jsonl and big-capped.jsonl (the same for a second, larger checkpoint) and
env.json. Exits non-zero if any run's tensors, their exact bit sums, or their
float64 sums (within a relative 1e-9, since the two sides add in different orders) disagree.
"""
import json
import os
import statistics
import sys

PAIRS = (("buffer", "sum"), ("arrays", "double"))
READS = {
    ("brine", "buffer"): "Brine, storage views (`storage().asFloatBuffer()` ...)",
    ("torch", "sum"): "torch.load, `t.sum(dtype=torch.float64)`",
    ("brine", "arrays"): "Brine, `toDoubleArray()`",
    ("torch", "double"): "torch.load, `t.double().sum()`",
}


def load_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def mb(n):
    return f"{n / 1e6:,.1f}"


def check(runs):
    """Every run against the first: same tensors, equal bit sums, float sums within 1e-9. Returns (ok, worst)."""
    ref = runs[0]
    worst = 0.0
    problems = []
    for r in runs[1:]:
        if list(r["bits"]) != list(ref["bits"]):
            problems.append(f"{r['side']}/{r['read']}: tensors differ ({len(r['bits'])} against {len(ref['bits'])})")
            continue
        for k, v in r["bits"].items():
            if int(v) != int(ref["bits"][k]):
                problems.append(f"{r['side']}/{r['read']}: bit sum of {k}: {v} against {ref['bits'][k]}")
        for k, v in r["sums"].items():
            a, b = v, ref["sums"][k]
            rel = abs(a - b) / max(1.0, abs(a), abs(b))
            worst = max(worst, rel)
            if rel > 1e-9:
                problems.append(f"{r['side']}/{r['read']}: float sum of {k}: {a!r} against {b!r}")
    return problems, worst


def totals(run):
    return [l["load_s"] + l["read_s"] for l in run["loads"]]


def fsize(r):
    if r.get("file_bytes"):
        return r["file_bytes"]
    return os.path.getsize(r["file"]) if os.path.exists(r["file"]) else 0


def xmx(r):
    return next((a for a in r.get("jvm_args", "").split() if a.startswith("-Xmx")), None)


def main():
    d = sys.argv[1]
    runs = load_jsonl(os.path.join(d, "runs.jsonl"))
    capped = load_jsonl(os.path.join(d, "capped.jsonl"))
    big = load_jsonl(os.path.join(d, "big.jsonl"))
    big_capped = load_jsonl(os.path.join(d, "big-capped.jsonl"))
    env = json.load(open(os.path.join(d, "env.json"))) if os.path.exists(os.path.join(d, "env.json")) else {}
    if not runs:
        sys.exit("no runs in " + d)
    # Each checkpoint's runs are checked against each other: the same tensors, bits and sums.
    problems, worst = check(runs + capped)
    if big or big_capped:
        p, w = check(big + big_capped)
        problems += p
        worst = max(worst, w)
    size = fsize(runs[0])
    by = {}
    for r in runs:
        by.setdefault((r["side"], r["read"]), []).append(r)
    rounds = max(len(v) for v in by.values())
    loads = len(runs[0]["loads"])
    print(f"Checkpoint: {os.path.basename(runs[0]['file'])}, {mb(size)} MB, {runs[0]['tensors']} tensors, "
          f"{runs[0]['elements']:,} elements")
    for k in ("date", "command", "cpu", "load", "java", "torch", "python"):
        if k in env:
            print(f"- {k}: {env[k]}")
    print(f"- {rounds} rounds, each one process a contender and read mode, alternating Brine and torch; "
          f"{loads} loads a process")
    print()
    print("| contender, read pass | first load + read, s (best / median) | warm load, s | warm read, s "
          "| warm load + read, s (best / median) | torch / Brine, warm | torch / Brine, first |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    best = {}
    for brine_read, torch_read in PAIRS:
        for side, read in (("brine", brine_read), ("torch", torch_read)):
            rs = by.get((side, read))
            if not rs:
                continue
            first = [totals(r)[0] for r in rs]
            warm = [t for r in rs for t in totals(r)[1:]] or first
            warm_load = min(l["load_s"] for r in rs for l in (r["loads"][1:] or r["loads"]))
            warm_read = min(l["read_s"] for r in rs for l in (r["loads"][1:] or r["loads"]))
            best[(side, read)] = (min(warm), min(first))
            ratio_w = ratio_f = ""
            if side == "torch" and ("brine", brine_read) in best:
                bw, bf = best[("brine", brine_read)]
                ratio_w = f"{min(warm) / bw:.2f}×"
                ratio_f = f"{min(first) / bf:.2f}×"
            print(f"| {READS[(side, read)]} | {min(first):.3f} / {statistics.median(first):.3f} | {warm_load:.3f} "
                  f"| {warm_read:.3f} | {min(warm):.3f} / {statistics.median(warm):.3f} | {ratio_w} | {ratio_f} |")
    print()
    print("Memory, the largest over a row's runs. RSS from /proc/self/status: the baseline before the first load, "
          "VmHWM the process's peak, RssAnon and RssFile the largest seen right after a load and its read. Heap "
          "(Brine): the bytes the thread allocated during a load and during its read, and what the loaded "
          "checkpoint holds after a full collection.")
    print()
    print("| file, contender, read pass | RSS baseline, MB | peak RSS (VmHWM), MB | RssAnon, MB "
          "| RssFile (mapped file), MB | heap allocated by a load, MB | by its read, MB "
          "| heap the checkpoint holds, MB | that / file |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for rows in (runs, capped, big, big_capped):
        seen = {}
        for r in rows:
            seen.setdefault((r["side"], r["read"]), []).append(r)
        for (side, read), rs in seen.items():
            size_r = fsize(rs[0])
            cap = xmx(rs[0]) if rows is capped or rows is big_capped else None
            name = f"{mb(size_r)} MB, {READS[(side, read)]}" + (f", {cap}" if cap else "")
            line = (f"| {name} | {mb(max(r['rss_baseline'] for r in rs))} | {mb(max(r['vmhwm'] for r in rs))} "
                    f"| {mb(max(r['rss_anon_max'] for r in rs))} | {mb(max(r['rss_file_max'] for r in rs))} ")
            if side == "brine":
                held = max(r["heap_retained"] for r in rs)
                line += (f"| {mb(max(r['heap_alloc_load'] for r in rs))} | {mb(max(r['heap_alloc_read'] for r in rs))}"
                         f" | {mb(held)} | {held / size_r:.4f}× |")
            else:
                line += "| — | — | — | — |"
            print(line)
    print()
    for rows in (capped, big_capped):
        for c in rows:
            print(f"Heap cap: Brine loaded and read {os.path.basename(c['file'])} ({mb(fsize(c))} MB) "
                  f"{len(c['loads'])} times with {xmx(c)} (max heap {mb(c['heap_max'])} MB, "
                  f"{c['heap_max'] / fsize(c):.3f}× the file), to the same sums as torch.")
    print()
    if problems:
        print(f"CHECKSUMS DIFFER in {len(problems)} places:")
        for p in problems[:20]:
            print("- " + p)
        sys.exit(1)
    print(f"Checksums: all {len(runs) + len(capped)} runs read the same {runs[0]['tensors']} tensors to equal bit "
          f"sums" + (f" (and all {len(big) + len(big_capped)} runs of the second file its {big[0]['tensors']})"
                     if big else "")
          + f", and float64 sums within {worst:.1e} (relative) of each other.")


if __name__ == "__main__":
    main()
