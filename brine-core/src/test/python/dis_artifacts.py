"""Writes torch and joblib files and, for each, the listing `brine dis` must print, made with the real pickletools.

Usage: /usr/bin/python3 dis_artifacts.py OUT_DIR   (Debian's python3 with python3-torch 1.13, python3-joblib 1.2)

For NAME (a file written by torch.save or joblib.dump) it writes NAME.dis. Every opcode line in it is printed by
pickletools.dis itself, reading the file the way the library reads it:
- a torch zip archive: pickletools.dis(zipfile.ZipFile(f).read(name)) for each .pkl record, positions within it;
- a legacy torch file: pickletools.dis(f) five times on the open file, so positions are offsets in the file;
- a plain pickle (a tensor pickled on its own): pickletools.dis(f), nothing else;
- a joblib file: pickletools.dis of the (decompressed) stream through a file object whose tell() steps over the
  raw array data that joblib.load reads after each NumpyArrayWrapper (found by watching joblib.load read them), so
  the listing goes on across the arrays with positions in the stream; an array of objects, which joblib writes as
  a pickle of its own, is listed there by a nested pickletools.dis.
The lines starting with '#' are Brine's own (which record, which pickle, where the raw data is), computed here from
what zipfile, pickle and joblib report.
"""
import gzip
import io
import os
import pickle
import pickletools
import sys
import warnings
import zipfile
import zlib

import joblib
import joblib.numpy_pickle as numpy_pickle
import numpy as np
import torch
from torch import nn

warnings.simplefilter("ignore")
torch.manual_seed(0)


def shape_repr(shape):
    return repr(tuple(int(d) for d in shape))


# ---- torch --------------------------------------------------------------------------------------------------

def torch_objects():
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    return {
        "state_dict": nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1)).state_dict(),
        "views": {"base": base, "t": base.t(), "row": base[1], "half": base.to(torch.float16),
                  "ints": torch.tensor([1, -2, 3], dtype=torch.int64), "flag": torch.tensor([True, False])},
        "mixed": {"epoch": 3, "lr": 0.1, "names": ["a", "b"], "w": torch.ones(2, 2, dtype=torch.float64)},
    }


def dis_zip(path):
    out = io.StringIO()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        out.write("# torch zip archive, %d records; each pickle record as pickletools.dis lists it, positions "
                  "within the record\n" % len(infos))
        others, other_bytes = 0, 0
        for info in infos:
            if info.filename.endswith(".pkl"):
                out.write("# record %s, %d bytes\n" % (info.filename, info.file_size))
                pickletools.dis(zf.read(info.filename), out)
            else:
                others += 1
                other_bytes += info.file_size
        out.write("# %d other records, %d bytes: storage data and metadata, not pickles\n" % (others, other_bytes))
    return out.getvalue()


LEGACY_PARTS = ("magic number", "protocol version", "system info", "the object", "storage keys")


def dis_legacy(path):
    out = io.StringIO()
    size = os.path.getsize(path)
    out.write("# legacy torch file, %d bytes: five pickles, each as pickletools.dis(f) lists it reading on from "
              "where the last stopped, positions in the file\n" % size)
    with open(path, "rb") as f:
        for i, part in enumerate(LEGACY_PARTS):
            out.write("# pickle %d of 5: %s\n" % (i + 1, part))
            start = f.tell()
            pickletools.dis(f, out)
        end = f.tell()
        f.seek(start)
        keys = pickle.load(f)
    out.write("# raw storage data: %d bytes from offset %d to the end of the file (%d storages)\n"
              % (size - end, end, len(keys)))
    return out.getvalue()


# ---- joblib -------------------------------------------------------------------------------------------------

def joblib_objects():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier
    X, y = load_iris(return_X_y=True)
    return {
        "arrays": {"c": np.arange(12, dtype=np.float64).reshape(3, 4),
                   "f": np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)),
                   "big_endian": np.arange(3, dtype=">i8"), "empty": np.zeros((0, 2)), "scalar": np.array(7.5),
                   "bools": np.array([True, False, True]), "text": np.array(["ab", "c"]),
                   "objects": np.array([1, "two", None], dtype=object), "after": [1, 2, 3]},
        "logistic_regression": LogisticRegression(max_iter=200).fit(X, y),
        "decision_tree": DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y),
    }


def array_blocks(path):
    """Where joblib.load reads raw array data: (start, end, wrapper) in the decompressed stream."""
    blocks = []
    original = numpy_pickle.NumpyArrayWrapper.read_array

    def watched(self, unpickler):
        start = unpickler.file_handle.tell()
        array = original(self, unpickler)
        blocks.append((start, unpickler.file_handle.tell(), self))
        return array

    numpy_pickle.NumpyArrayWrapper.read_array = watched
    try:
        joblib.load(path)
    finally:
        numpy_pickle.NumpyArrayWrapper.read_array = original
    return blocks


class SteppingOver(io.RawIOBase):
    """The stream, with tell() stepping over each array block (writing Brine's line for it) when it stands at one."""

    def __init__(self, data, blocks, out):
        self.f = io.BytesIO(data)
        self.blocks = {start: (end, w) for start, end, w in blocks}
        self.out = out

    def tell(self):
        pos = self.f.tell()
        block = self.blocks.pop(pos, None)
        if block is None:
            return pos
        end, w = block
        described = "dtype %s, shape %s, order %s" % (w.dtype.str, shape_repr(w.shape), w.order)
        if w.dtype.hasobject:
            self.out.write("# object array at %d-%d: a pickle of its own (%s)\n" % (pos, end, described))
            pickletools.dis(self.f, self.out)
        else:
            data = self.f.getvalue()
            padding = data[pos]
            self.out.write("# array data at %d-%d: 1 padding-length byte, %d padding bytes, %d bytes of items (%s)\n"
                           % (pos, end, padding, end - pos - 1 - padding, described))
        assert self.f.tell() <= end
        self.f.seek(end)
        return end

    def read(self, n=-1):
        return self.f.read(n)

    def readline(self, limit=-1):
        return self.f.readline(limit)


def dis_joblib(path, codec):
    with open(path, "rb") as f:
        raw = f.read()
    data = {"none": lambda b: b, "zlib": zlib.decompress, "gzip": gzip.decompress}[codec](raw)
    out = io.StringIO()
    if codec == "none":
        out.write("# joblib file, uncompressed, %d bytes; raw array data is stepped over\n" % len(data))
    else:
        out.write("# joblib file, %s-compressed (%d bytes), disassembled after decompression: positions are in the "
                  "decompressed stream of %d bytes; raw array data is stepped over\n" % (codec, len(raw), len(data)))
    stream = SteppingOver(data, array_blocks(path), out)
    pickletools.dis(stream, out)
    assert stream.f.tell() == len(data), "bytes after the pickle"
    return out.getvalue()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    names = []
    for name, obj in torch_objects().items():
        for fmt in ("zip", "legacy"):
            path = os.path.join(out, "%s.%s.pt" % (name, fmt))
            torch.save(obj, path, _use_new_zipfile_serialization=(fmt == "zip"))
            listing = dis_zip(path) if fmt == "zip" else dis_legacy(path)
            names.append(path)
            with open(path + ".dis", "w", encoding="utf-8") as f:
                f.write(listing)
    # A tensor pickled on its own: one plain pickle, its storage a legacy file inside a bytes argument.
    path = os.path.join(out, "tensor.p2.pkl")
    with open(path, "wb") as f:
        pickle.dump(torch.arange(6, dtype=torch.int16).reshape(2, 3), f, protocol=2)
    names.append(path)
    with open(path, "rb") as f, open(path + ".dis", "w", encoding="utf-8") as listing:
        pickletools.dis(f, listing)
    for name, obj in joblib_objects().items():
        for codec, compress in (("none", 0), ("zlib", 3), ("gzip", ("gzip", 3))):
            path = os.path.join(out, "%s.%s.joblib" % (name, codec))
            joblib.dump(obj, path, compress=compress)
            names.append(path)
            with open(path + ".dis", "w", encoding="utf-8") as f:
                f.write(dis_joblib(path, codec))
    print("\n".join(os.path.basename(n) for n in names))


if __name__ == "__main__":
    main()
