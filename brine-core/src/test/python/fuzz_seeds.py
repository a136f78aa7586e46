# -*- coding: utf-8 -*-
"""Writes the seed corpus of Brine's fuzz tests (dev.brine.security.PickleFuzzTest) from the conformance catalogue.

Usage: python3 fuzz_seeds.py OUTDIR [PYTHON ...]

Runs catalogue.py under each interpreter given (by default this one), and copies every distinct pickle of at most
MAX_SIZE bytes to OUTDIR/py<major><minor>-<case>.p<N>.pkl, which every target replays; then runs scan_corpus.py
(under this interpreter) and copies its files of at most 4 * MAX_SIZE bytes to OUTDIR/scanner/, which only the
scanner target replays (Jazzer reads OUTDIR/<method>/ for one target). Small seeds keep the regression replay in `mvn verify`
fast and give the fuzzer inputs it can mutate cheaply; the catalogue's large cases (framing past 64 KiB, batches
past 1000 items) add nothing a mutation of a small one would not reach.

The committed corpus was made with:
    python3 brine-core/src/test/python/fuzz_seeds.py \
        brine-core/src/test/resources/dev/brine/security/PickleFuzzTestInputs \
        "$(pyenv root)/versions/2.7.18/bin/python" "$(pyenv root)/versions/3.13.0/bin/python"
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

MAX_SIZE = 1024
HERE = os.path.dirname(os.path.abspath(__file__))


def version_tag(python):
    out = subprocess.check_output([python, '-c', 'import sys; print("%d%d" % sys.version_info[:2])'])
    return 'py' + out.decode('ascii').strip()


def main(outdir, pythons):
    if not os.path.isdir(outdir):
        os.makedirs(outdir)
    seen = set()
    for name in os.listdir(outdir):
        if not os.path.isfile(os.path.join(outdir, name)):
            continue
        with open(os.path.join(outdir, name), 'rb') as f:
            seen.add(hashlib.sha256(f.read()).hexdigest())
    written = 0
    for python in pythons:
        tag = version_tag(python)
        work = tempfile.mkdtemp(prefix='brine-seeds-')
        try:
            subprocess.check_call([python, os.path.join(HERE, 'catalogue.py'), work], stdout=subprocess.DEVNULL)
            for name in sorted(os.listdir(work)):
                if not name.endswith('.pkl'):
                    continue
                with open(os.path.join(work, name), 'rb') as f:
                    data = f.read()
                digest = hashlib.sha256(data).hexdigest()
                if len(data) > MAX_SIZE or digest in seen:
                    continue
                seen.add(digest)
                with open(os.path.join(outdir, tag + '-' + name), 'wb') as f:
                    f.write(data)
                written += 1
        finally:
            shutil.rmtree(work, ignore_errors=True)
    # The scanner target also gets the scanner corpus's small files: ZIP, npy and joblib layouts to mutate.
    scanner_dir = os.path.join(outdir, 'scanner')
    if not os.path.isdir(scanner_dir):
        os.makedirs(scanner_dir)
    work = tempfile.mkdtemp(prefix='brine-scan-seeds-')
    try:
        subprocess.check_call([sys.executable, os.path.join(HERE, 'scan_corpus.py'), work], stdout=subprocess.DEVNULL)
        for kind in ('benign', 'malicious'):
            for name in sorted(os.listdir(os.path.join(work, kind))):
                with open(os.path.join(work, kind, name), 'rb') as f:
                    data = f.read()
                if len(data) <= 4 * MAX_SIZE:
                    with open(os.path.join(scanner_dir, 'scan-' + kind + '-' + name), 'wb') as f:
                        f.write(data)
                    written += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print('wrote %d seeds to %s' % (written, outdir))


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit('usage: fuzz_seeds.py OUTDIR [PYTHON ...]')
    main(sys.argv[1], sys.argv[2:] or [sys.executable])
