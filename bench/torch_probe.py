#!/usr/bin/python3
"""torch.load's side of bench/torch_compare: loads a checkpoint several times and reads every tensor's values.

Each load is timed in two parts: `torch.load(path)` (every storage read into memory, as torch 1.13 reads them),
then the read pass, which sums each tensor's values in float64. The read pass is one of:

    sum     t.sum(dtype=torch.float64): each value read once, converted in the reduction (no copy)
    double  t.double().sum(): a float64 copy of the tensor, then its sum, as Java's toDoubleArray() then a loop

After the timed loads, an untimed pass sums each tensor's raw bits as integers (int32 for a 4-byte element,
int16 for 2 bytes, uint8 for 1, int64 for 8, each sum modulo 2**64): an exact check that the other side read the
same bits, whatever order its float sums add in.

    /usr/bin/python3 bench/torch_probe.py FILE [--loads 5] [--read sum|double]

Prints one JSON object: each load's seconds, the per-tensor float and bit sums, the resident memory (the peak,
VmHWM, and the largest RssAnon and RssFile seen right after a load and its read), and the versions.
"""
import argparse
import gc
import json
import time

T0 = time.perf_counter()
import torch  # noqa: E402  (its import is timed on its own)

IMPORT_S = time.perf_counter() - T0

BITS = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


def status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                out[key] = int(rest.split()[0]) * 1024
    return out


def tensors(sd):
    return [(k, v) for k, v in sd.items() if isinstance(v, torch.Tensor)]


def read_sum(ts):
    return {k: t.sum(dtype=torch.float64).item() for k, t in ts}


def read_double(ts):
    return {k: t.double().sum().item() for k, t in ts}


def bit_sums(ts):
    out = {}
    for k, t in ts:
        v = t.contiguous().view(BITS[t.element_size()])
        out[k] = int(v.sum(dtype=torch.int64).item()) % 2**64
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--loads", type=int, default=5)
    ap.add_argument("--read", choices=("sum", "double"), default="sum")
    a = ap.parse_args()
    read = read_sum if a.read == "sum" else read_double
    baseline = status()
    loads, anon, file_ = [], 0, 0
    sums = None
    for _ in range(a.loads):
        t0 = time.perf_counter()
        sd = torch.load(a.file)
        t1 = time.perf_counter()
        sums = read(tensors(sd))
        t2 = time.perf_counter()
        loads.append({"load_s": t1 - t0, "read_s": t2 - t1})
        s = status()
        anon, file_ = max(anon, s["RssAnon"]), max(file_, s["RssFile"])
        if _ < a.loads - 1:
            del sd
            gc.collect()
    ts = tensors(sd)
    print(json.dumps({
        "side": "torch", "read": a.read, "file": a.file, "loads": loads, "import_s": IMPORT_S,
        "tensors": len(ts), "elements": sum(t.numel() for _, t in ts),
        "sums": sums, "bits": bit_sums(ts),
        "rss_baseline": baseline["VmRSS"], "vmhwm": status()["VmHWM"], "rss_anon_max": anon, "rss_file_max": file_,
        "threads": torch.get_num_threads(), "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
