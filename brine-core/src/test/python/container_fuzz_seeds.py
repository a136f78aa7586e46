"""Writes the seed corpus of Brine's container fuzz tests (dev.brine.security.ContainerFuzzTest): small real torch
and joblib files, so the fuzzer starts from files with the structure the readers look for.

Usage: /usr/bin/python3 container_fuzz_seeds.py OUTDIR   (Debian's python3 with python3-torch 1.13, joblib 1.2)

The committed corpus was made with:
    /usr/bin/python3 brine-core/src/test/python/container_fuzz_seeds.py \
        brine-core/src/test/resources/dev/brine/security/ContainerFuzzTestInputs
Writes: a state dict as a zip archive and as a legacy file, a non-contiguous view, a tensor pickled with plain
pickle, and a dict of two arrays (one Fortran-ordered, one of objects) with joblib, uncompressed, zlib and gzip
(the gzip file carries the time it was written in its header, so it differs from run to run).
"""
import os
import pickle
import sys

import joblib
import numpy as np
import torch

torch.manual_seed(0)


def main(out):
    os.makedirs(out, exist_ok=True)
    sd = torch.nn.Linear(2, 1).state_dict()
    torch.save(sd, os.path.join(out, "state_dict.zip.pt"))
    torch.save(sd, os.path.join(out, "state_dict.legacy.pt"), _use_new_zipfile_serialization=False)
    base = torch.arange(6, dtype=torch.int16).reshape(2, 3)
    torch.save({"t": base.t(), "b": base}, os.path.join(out, "views.legacy.pt"), _use_new_zipfile_serialization=False)
    with open(os.path.join(out, "tensor.p2.pkl"), "wb") as f:
        pickle.dump(torch.tensor([1.5, -2.0], dtype=torch.float16), f, protocol=2)
    arrays = {"f": np.asfortranarray(np.arange(4, dtype=np.int32).reshape(2, 2)),
              "o": np.array([1, "x"], dtype=object)}
    for name, compress in (("none", 0), ("zlib", 3), ("gzip", ("gzip", 3))):
        joblib.dump(arrays, os.path.join(out, "arrays.%s.joblib" % name), compress=compress)
    for name in sorted(os.listdir(out)):
        print(name, os.path.getsize(os.path.join(out, name)))


if __name__ == "__main__":
    main(sys.argv[1])
