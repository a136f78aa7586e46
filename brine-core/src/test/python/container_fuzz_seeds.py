"""Writes the seed corpus of Brine's container fuzz tests (dev.brine.security.ContainerFuzzTest): small real torch
and joblib files, so the fuzzer starts from files with the structure the readers look for.

Usage: /usr/bin/python3 container_fuzz_seeds.py OUTDIR   (Debian's python3 with python3-torch 1.13, joblib 1.2)

The committed corpus was made with:
    /usr/bin/python3 brine-core/src/test/python/container_fuzz_seeds.py \
        brine-core/src/test/resources/dev/brine/security/ContainerFuzzTestInputs
Writes: a state dict as a zip archive and as a legacy file, a non-contiguous view, a tensor pickled with plain
pickle, and a dict of two arrays (one Fortran-ordered, one of objects) with joblib, uncompressed, zlib and gzip
(the gzip file carries the time it was written in its header, so it differs from run to run); and, in
scannerContainers/, a pickle in a ZIP after other data, an npz, a joblib file with a structured object array and a
tar with one member, for the scanner's container readers.
"""
import io
import os
import pickle
import sys
import tarfile
import zipfile

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
    # scannerContainers: the layouts the scanner finds as loaders find them (its own seed folder).
    scan = os.path.join(out, "scannerContainers")
    os.makedirs(scan, exist_ok=True)
    small = pickle.dumps({"a": [1, 2]}, 2)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("frame.pkl", small)
    with open(os.path.join(scan, "after_data.pkl.zip"), "wb") as f:
        f.write(b"MZ" + bytes(30) + buf.getvalue())
    np.savez(os.path.join(scan, "arrays.npz"), a=np.arange(3), o=np.array([1, "x"], dtype=object))
    joblib.dump({"s": np.array([(1, "x")], dtype=[("i", "<i8"), ("o", "O")]), "f": np.arange(3.0)},
                os.path.join(scan, "structured.joblib"))
    with tarfile.open(os.path.join(scan, "only_member.tar"), "w") as t:
        info = tarfile.TarInfo("frame.bin")
        info.size = len(small)
        t.addfile(info, io.BytesIO(small))
    for name in sorted(os.listdir(scan)):
        print("scannerContainers/" + name, os.path.getsize(os.path.join(scan, name)))
    for name in sorted(os.listdir(out)):
        if os.path.isfile(os.path.join(out, name)):
            print(name, os.path.getsize(os.path.join(out, name)))


if __name__ == "__main__":
    main(sys.argv[1])
