"""Writes PyTorch checkpoints for Brine's tests, with a manifest.json describing every tensor in them.

Usage: /usr/bin/python3 torch_fixtures.py OUT_DIR   (Debian's python3 with python3-torch 1.13)

Every object is saved in the zip format (NAME.pt), in the legacy format (NAME.legacy.pt, torch.save with
_use_new_zipfile_serialization=False) and, for the plain ones, with pickle.dumps at protocols 2 and 4
(NAME.p2.pkl, NAME.p4.pkl; their storages go through torch.storage._load_from_bytes). The manifest is computed
from what torch.load (or pickle.load) gives back for each file, so it describes exactly what a reader must find.
Everything is deterministic: fixed seeds, no timestamps.
"""
import collections
import io
import json
import math
import os
import pickle
import sys
import warnings
import zipfile

import torch
from torch import nn

warnings.simplefilter("ignore")
torch.manual_seed(0)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)


# ---------------------------------------------------------------------------------------------------------------
# The objects saved.

def dtypes():
    """(a) One tensor of every dtype torch 1.13 can save (complex32 cannot: torch.save raises KeyError)."""
    floats = torch.tensor([0.0, -0.0, 1.5, -2.25, float("nan"), float("inf"), float("-inf"), 3.0e-5])
    d = {
        "float64": torch.tensor([0.1, -0.0, 1e300, float("nan"), float("inf"), float("-inf")], dtype=torch.float64),
        "float32": floats.clone(),
        "float16": floats.to(torch.float16),
        "bfloat16": floats.to(torch.bfloat16),
        "int64": torch.tensor([0, 1, -1, 2 ** 63 - 1, -2 ** 63], dtype=torch.int64),
        "int32": torch.tensor([0, 1, -1, 2 ** 31 - 1, -2 ** 31], dtype=torch.int32),
        "int16": torch.tensor([0, 1, -1, 2 ** 15 - 1, -2 ** 15], dtype=torch.int16),
        "int8": torch.tensor([0, 1, -1, 127, -128], dtype=torch.int8),
        "uint8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True, True]),
        "complex64": torch.tensor([1 + 2j, -0.5j, complex(float("nan"), 1.0)], dtype=torch.complex64),
        "complex128": torch.tensor([[1 + 2j, 3 - 4j], [0j, complex(float("inf"), -1.0)]], dtype=torch.complex128),
        "int64_2d": torch.arange(12, dtype=torch.int64).reshape(3, 4),
    }
    x = torch.linspace(-1.0, 1.0, 8).reshape(2, 4)
    d["qint8"] = torch.quantize_per_tensor(x, 0.01, 3, torch.qint8)
    d["quint8"] = torch.quantize_per_tensor(x, 0.02, 128, torch.quint8)
    d["qint32"] = torch.quantize_per_tensor(x, 0.001, -7, torch.qint32)
    # Sub-byte types: two (quint4x2) or four (quint2x4) values per stored byte. Sizes chosen so bytes are full.
    d["quint4x2"] = torch.quantize_per_tensor(torch.linspace(0.0, 1.5, 8), 0.1, 1, torch.quint4x2)
    d["quint2x4"] = torch.quantize_per_tensor(torch.linspace(0.0, 0.3, 8), 0.1, 0, torch.quint2x4)
    return d


def shared():
    """(b) Views sharing one storage: offsets, a transpose, steps, an expand (stride 0), a view of a view."""
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    sliced = base[1:3, 2:5]                       # storage_offset 8, stride (6, 1)
    other = torch.arange(5, dtype=torch.int32)
    return {
        "base": base,
        "slice": sliced,
        "transpose": base.t(),                     # stride (1, 6)
        "step": base.view(-1)[::2],                # stride (2,)
        "view_of_view": sliced[1:, ::2],           # offset 14, stride (6, 2)
        "row": base[2],                            # offset 12
        "expand": other[1:2].expand(3, 4),        # stride (0, 0) on another storage, offset 1
        "other": other,
    }


def models():
    """(c) State dicts of a few models; each is an OrderedDict with a _metadata attribute."""
    torch.manual_seed(1)
    cnn = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    cnn.train()
    cnn(torch.randn(2, 1, 6, 6))                   # moves the running stats, num_batches_tracked becomes 1
    return {
        "linear": nn.Linear(4, 3).state_dict(),
        "cnn": cnn.state_dict(),
        "lstm": nn.LSTM(4, 3, num_layers=1).state_dict(),
        "embedding": nn.Embedding(10, 4, padding_idx=0).state_dict(),
        "transformer": nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16).state_dict(),
    }


def optimizers():
    """(d) Optimizer state dicts after two steps: int keys, 'step' tensors, tuples of floats (betas)."""
    torch.manual_seed(2)
    out = {}
    for name, make in (("adam", lambda p: torch.optim.Adam(p, lr=0.01)),
                       ("sgd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9))):
        model = nn.Linear(3, 2)
        opt = make(model.parameters())
        for _ in range(2):
            opt.zero_grad()
            model(torch.randn(4, 3)).pow(2).sum().backward()
            opt.step()
        out["optim_" + name] = opt.state_dict()
    return out


def module():
    """(e) A whole pickled module: Sequential of torch's own layers, so torch.load can import every class."""
    torch.manual_seed(3)
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))


def grad():
    """(h) Parameters with requires_grad True and False, and a plain leaf tensor that requires grad."""
    torch.manual_seed(4)
    return {
        "param_grad": nn.Parameter(torch.randn(2, 2)),
        "param_nograd": nn.Parameter(torch.randn(3), requires_grad=False),
        "tensor_grad": torch.randn(2).requires_grad_(True),
        "tensor": torch.randn(2),
    }


def edge():
    """(i) Tensors with no elements and 0-dim scalars."""
    return {
        "empty": torch.empty(0),
        "empty_2d": torch.empty(0, 3, dtype=torch.int64),
        "scalar": torch.tensor(3.5),
        "scalar_int": torch.tensor(7),
        "scalar_bool": torch.tensor(True),
    }


def nested():
    """(k) Containers of tensors with keys that are not strings."""
    t = torch.arange(4, dtype=torch.int16)
    return [
        t,
        (t[1:], torch.tensor([1.0, 2.0])),
        {0: torch.ones(2), 1.5: torch.zeros(1), (1, "a"): torch.tensor([9]), None: t, True: torch.tensor([False])},
        {"a": [torch.tensor([[1, 2], [3, 4]], dtype=torch.uint8)], "b": {"c": (torch.tensor(-1.0),)}},
    ]


# ---------------------------------------------------------------------------------------------------------------
# Describing what was loaded.

def number(x):
    """A JSON-safe number: NaN and infinities as the strings "nan", "inf", "-inf"."""
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def values(t):
    flat = t.detach().flatten()
    if flat.is_complex():
        return [[number(z.real), number(z.imag)] for z in flat.tolist()]
    if flat.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()                        # exact: both widen to float32 without rounding
    return [number(v) for v in flat.tolist()]


class Walker:
    def __init__(self):
        self.tensors = []
        self.leaves = []
        self.storages = {}                         # storage _cdata -> small group id, in order of first sight

    def walk(self, obj, path):
        if isinstance(obj, torch.Tensor):
            self.tensors.append(self.tensor(obj, path))
        elif isinstance(obj, dict):
            for k, v in obj.items():
                self.walk(v, path + "[" + (json.dumps(k) if isinstance(k, str) else repr(k)) + "]")
        elif isinstance(obj, (list, tuple)):
            for i, v in enumerate(obj):
                self.walk(v, path + "[%d]" % i)
        elif isinstance(obj, nn.Module):
            for k, v in vars(obj).items():         # _parameters, _buffers, _modules, training, ...
                self.walk(v, path + "." + k)
        elif obj is None or isinstance(obj, (bool, int, float, str)):
            self.leaves.append({"path": path, "type": type(obj).__name__, "value": number(obj)})
        else:
            self.leaves.append({"path": path, "type": type(obj).__module__ + "." + type(obj).__qualname__,
                                "repr": repr(obj)})

    def tensor(self, t, path):
        storage = t.storage()
        group = self.storages.setdefault(storage._cdata, len(self.storages))
        d = {
            "path": path,
            "dtype": str(t.dtype)[len("torch."):],
            "shape": list(t.shape),
            "stride": list(t.stride()),
            "storage_offset": t.storage_offset(),
            "storage_group": group,
            "storage_numel": storage.size(),
            "requires_grad": t.requires_grad,
            "is_parameter": isinstance(t, nn.Parameter),
        }
        if t.is_quantized:
            scale, zero_point = t.q_scale(), t.q_zero_point()
            d["qscheme"] = str(t.qscheme())[len("torch."):]
            d["q_scale"] = scale
            d["q_zero_point"] = zero_point
            deq = t.dequantize()
            # The quantized integer of each element; for quint4x2/quint2x4 int_repr() gives the packed bytes
            # instead, so the integers are recomputed from the dequantized values.
            d["values"] = [int(v) for v in torch.round(deq / scale + zero_point).to(torch.int64).flatten().tolist()]
            d["int_repr"] = t.int_repr().flatten().tolist()
            d["dequantized"] = values(deq)
        else:
            d["values"] = values(t)
        return d


def describe(obj, path, fmt, protocol=None):
    w = Walker()
    w.walk(obj, "")
    entry = {"file": os.path.basename(path), "format": fmt}
    if protocol is not None:
        entry["protocol"] = protocol
    if fmt == "zip":
        names = zipfile.ZipFile(path).namelist()
        entry["zip_prefix"] = names[0].split("/")[0]
    entry["type"] = type(obj).__module__ + "." + type(obj).__qualname__
    if hasattr(obj, "_metadata"):
        entry["metadata"] = {k: dict(v) for k, v in obj._metadata.items()}
    entry["tensors"] = w.tensors
    entry["leaves"] = w.leaves
    return entry


# ---------------------------------------------------------------------------------------------------------------

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    objects = {"dtypes": dtypes(), "shared": shared()}
    objects.update(models())
    objects.update(optimizers())
    objects["module"] = module()
    objects["grad"] = grad()
    objects["edge"] = edge()
    objects["nested"] = nested()
    pickled = ("dtypes", "shared", "grad", "edge", "nested", "linear")    # (g) also with plain pickle.dumps

    files = []
    for name, obj in objects.items():
        path = os.path.join(out, name + ".pt")
        torch.save(obj, path)                                          # zip; its top folder is the file stem
        files.append(describe(torch.load(path), path, "zip"))
        path = os.path.join(out, name + ".legacy.pt")                  # (f) the pre-1.6 format
        torch.save(obj, path, _use_new_zipfile_serialization=False)
        files.append(describe(torch.load(path), path, "legacy"))
        if name in pickled:
            for protocol in (2, 4):
                path = os.path.join(out, "%s.p%d.pkl" % (name, protocol))
                with open(path, "wb") as f:
                    f.write(pickle.dumps(obj, protocol=protocol))
                with open(path, "rb") as f:
                    files.append(describe(pickle.load(f), path, "pickle", protocol))
    # Saved to a buffer, not a named file, the zip's top folder is "archive" (as every torch >= 2 writes).
    buffer = io.BytesIO()
    torch.save(objects["linear"], buffer)
    path = os.path.join(out, "linear.buffer.pt")
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
    files.append(describe(torch.load(path), path, "zip"))

    manifest = {
        "generator": "torch_fixtures.py",
        "torch": torch.__version__,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "files": files,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, allow_nan=False)   # allow_nan=False: a stray NaN fails here, not in Java
    print("%d files, %d tensors" % (len(files), sum(len(e["tensors"]) for e in files)))


if __name__ == "__main__":
    main()
