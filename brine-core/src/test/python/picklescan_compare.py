"""Runs picklescan, from a source checkout, on Brine's scanner corpora and prints its counts beside Brine's.

Usage: /usr/bin/python3 picklescan_compare.py PICKLESCAN_SRC MALICIOUS_DIR BENIGN_DIR...

PICKLESCAN_SRC is the `src` folder of a picklescan checkout (it needs only the standard library). MALICIOUS_DIR is
the output of scan_malicious.py (its manifest.json gives each file's loader); each BENIGN_DIR is the output of a
benign generator (scan_benign.py, joblib_fixtures.py, sparse_fixtures.py, torch_fixtures.py). A file counts as
flagged when picklescan reports a dangerous global (default mode) or also a suspicious one (--strict), and as an
error when it could not scan it (picklescan exits non-zero for both).
"""
import collections
import json
import logging
import os
import sys

sys.path.insert(0, sys.argv[1])
logging.disable(logging.CRITICAL)
from picklescan.scanner import scan_file_path  # noqa: E402


def judge(path, strict):
    try:
        r = scan_file_path(path, strict=strict)
    except Exception:
        return "error"
    if r.infected_files > 0:
        return "dangerous"
    if strict and r.suspicious_count > 0:
        return "suspicious"
    if r.scan_err:
        return "error"
    return "clean"


def main():
    malicious_dir = sys.argv[2]
    with open(os.path.join(malicious_dir, "manifest.json")) as f:
        manifest = json.load(f)
    for strict in (False, True):
        per_loader = collections.defaultdict(collections.Counter)
        for sample in manifest:
            loader = sample["loader"].split("+")[0].split("-")[0]
            per_loader[loader][judge(os.path.join(malicious_dir, sample["file"]), strict)] += 1
        total = sum(per_loader.values(), collections.Counter())
        print("picklescan%s malicious (%d): %s; per loader: %s" % (
            " --strict" if strict else "", len(manifest), dict(total),
            {k: dict(v) for k, v in sorted(per_loader.items())}))
        benign = collections.Counter()
        for d in sys.argv[3:]:
            for name in sorted(os.listdir(d)):
                if name.endswith(".json") or name.startswith("."):
                    continue
                benign[judge(os.path.join(d, name), strict)] += 1
        print("picklescan%s benign (%d): %s" % (" --strict" if strict else "", sum(benign.values()), dict(benign)))


if __name__ == "__main__":
    main()
