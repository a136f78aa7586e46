"""Writes .npy files whose headers numpy reads in ways a pattern match does not, for Brine's scanner tests.

Usage: python3 npy_headers.py OUT_DIR   (any python3 with numpy)

benign_*.npy are written by numpy itself. evil_*.npy carry, after a header numpy accepts, a pickle that creates a
marker file when loaded; each is loaded here with np.load(allow_pickle=True) in a fresh process inside a scratch
directory, and kept only if the marker appears, so every evil file is known to run its payload under numpy.
Prints one line per file: NAME benign|verified.
"""
import os
import pickle
import subprocess
import sys
import tempfile

import numpy as np

out = sys.argv[1]
lines = []

benign = {
    "float": np.arange(6.0).reshape(2, 3),
    "fortran": np.asfortranarray(np.arange(6).reshape(2, 3)),
    "structured": np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8", (2,))]),
    "datetime": np.array(["2024-01-01"], dtype="datetime64[D]"),
    "unicode": np.array(["ab", "c"]),
    "objects": np.array([1, "x", None, (1, 2)], dtype=object),
    "structured_objects": np.array([(1, "x")], dtype=[("a", "<i8"), ("b", "O")]),
}
for name, a in benign.items():
    np.save(os.path.join(out, f"benign_{name}.npy"), a, allow_pickle=True)
    lines.append(f"benign_{name}.npy benign")


class Marker:
    """Pickles as open(MARKER, 'w'): creating a file is the harmless stand-in for running a payload."""
    def __reduce__(self):
        return (open, ("payload-ran", "w"))


payload = pickle.dumps(Marker(), protocol=2)


def header_bytes(text):
    text = text + " " * ((64 - (10 + len(text) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")


headers = {
    "plain": "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
    "repeated_descr": "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'descr': '|O', }",
    "object_word": "{'descr': 'object', 'fortran_order': False, 'shape': (1,), }",
    "escaped": "{'descr': '|\\x4f', 'fortran_order': False, 'shape': (1,), }",
    "octal_escape": "{'descr': '\\117', 'fortran_order': False, 'shape': (1,), }",
    "concatenated": "{'descr': '|' 'O', 'fortran_order': False, 'shape': (1,), }",
    "double_quotes": '{"descr": "|O", "shape": (1,), "fortran_order": False}',
    "field": "{'descr': [('a', '<i8'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }",
    "subarray_field": "{'descr': [('a', '|O', (2,))], 'fortran_order': False, 'shape': (1,), }",
}
for name, text in headers.items():
    path = os.path.join(out, f"evil_{name}.npy")
    with open(path, "wb") as f:
        f.write(header_bytes(text) + payload)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([sys.executable, "-c", "import sys, numpy as np\ntry:\n    np.load(sys.argv[1], allow_pickle=True)\n"
                        "except Exception:\n    pass", os.path.abspath(path)], cwd=scratch, check=True)
        ran = os.path.exists(os.path.join(scratch, "payload-ran"))
    if ran:
        lines.append(f"evil_{name}.npy verified")
    else:
        os.remove(path)
print("\n".join(lines))
