package dev.brine.scan;

import java.util.Set;

/**
 * Decides how bad a global is, allow-list first, as PyTorch's {@code weights_only} unpickler does: an exact name
 * on the list of known data types is SAFE; a name reaching a module or callable on the curated list of
 * code-running ones is DANGEROUS; anything else is SUSPICIOUS, since importing it already runs that module's code.
 *
 * <p>Names are judged as CPython's {@code find_class} would import them: the caller applies the
 * {@code _compat_pickle} renames and passes both spellings, and a dotted name ({@code pathlib.os.system}, walked
 * attribute by attribute at protocol 4 and up) is judged by every part of its path.
 */
final class NamePolicy {
    private NamePolicy() {
    }

    /**
     * Data types and their rebuilders: the stdlib's, numpy's arrays and dtypes, torch's tensor rebuilders and
     * storages. Exact (module, name) pairs only: a module on this list does not make its other names safe.
     */
    private static final Set<String> SAFE = Set.of(
            // builtins CPython's picklers use for data at low protocols, and plain types
            "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.bytes", "builtins.complex",
            "builtins.int", "builtins.float", "builtins.str", "builtins.list", "builtins.dict", "builtins.tuple",
            "builtins.bool", "builtins.slice", "builtins.range", "builtins.object", "builtins.NoneType",
            "builtins.Ellipsis", "builtins.NotImplemented",
            "_codecs.encode", "copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__",
            "collections.OrderedDict", "collections.defaultdict", "collections.deque", "collections.Counter",
            "collections.ChainMap", "collections.UserDict", "collections.UserList", "collections.UserString",
            "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
            "decimal.Decimal", "fractions.Fraction", "uuid.UUID", "array.array", "array._array_reconstructor",
            "zoneinfo.ZoneInfo", "zoneinfo.ZoneInfo._unpickle", "zoneinfo._common._load_tzdata", "ipaddress.IPv4Address", "ipaddress.IPv6Address",
            "ipaddress.IPv4Network", "ipaddress.IPv6Network",
            "pathlib.PurePosixPath", "pathlib.PureWindowsPath", "pathlib.PosixPath", "pathlib.WindowsPath",
            // numpy: arrays, scalars, dtypes (numpy 1 and 2 module names)
            "numpy.ndarray", "numpy.dtype", "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.core.numeric._frombuffer",
            "numpy._core.numeric._frombuffer", "numpy.ma.core._mareconstruct", "numpy.ma.core.MaskedArray",
            "numpy.random._pickle.__randomstate_ctor", "numpy.matrix",
            // torch: tensor rebuilders and storages, as torch.serialization's weights_only allow-list
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_qtensor", "torch._utils._rebuild_meta_tensor_no_storage",
            "torch._utils._rebuild_wrapper_subclass", "torch._utils._rebuild_nested_tensor",
            "torch.nn.parameter.Parameter", "torch.Size", "torch.device", "torch.Tensor", "torch.serialization._get_layout",
            "torch.storage.UntypedStorage", "torch.storage.TypedStorage", "torch._tensor._rebuild_from_type_v2",
            "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage",
            "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage",
            "torch.BoolStorage", "torch.ComplexFloatStorage", "torch.ComplexDoubleStorage", "torch.QInt8Storage",
            "torch.QUInt8Storage", "torch.QInt32Storage", "torch.QUInt4x2Storage",
            "torch.float32", "torch.float64", "torch.float16", "torch.bfloat16", "torch.int64", "torch.int32",
            "torch.int16", "torch.int8", "torch.uint8", "torch.bool", "torch.complex64", "torch.complex128",
            "torch.strided", "torch.sparse_coo", "torch.contiguous_format", "torch.channels_last",
            "torch.per_tensor_affine", "torch.per_channel_affine",
            // joblib's array wrappers (the data follows in the file, not in the pickle)
            "joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper");

    /**
     * The data-only rebuilders of the libraries whose files model registries hold (numpy, pandas, scipy,
     * scikit-learn, pytz): each may be called, because it builds a value from the data it is given and nothing else.
     * A rebuilder that takes a class as an argument ({@code _new_Index}, Cython's {@code __pyx_unpickle_*}) creates
     * an instance of it with {@code cls.__new__} and sets its state; that class is a global of its own and judged on
     * its own, so a rebuilder handed {@code os.system} is no more dangerous than the import of {@code os.system}.
     */
    private static final Set<String> SAFE_ECOSYSTEM = Set.of(
            // numpy: record arrays, scalar types (calling one converts a value), bit-generator constructors, which
            // look the name up in numpy's own table of generators
            "numpy.recarray", "numpy.record", "numpy.core.records.recarray", "numpy.core.records.record",
            "numpy.random._pickle.__bit_generator_ctor", "numpy.random._pickle.__generator_ctor",
            "numpy.bool_", "numpy.int8", "numpy.int16", "numpy.int32", "numpy.int64", "numpy.uint8", "numpy.uint16",
            "numpy.uint32", "numpy.uint64", "numpy.float16", "numpy.float32", "numpy.float64", "numpy.longdouble",
            "numpy.complex64", "numpy.complex128", "numpy.str_", "numpy.bytes_", "numpy.datetime64",
            "numpy.timedelta64", "numpy.void",
            // pandas 1.x and 2.x: blocks, indexes, extension arrays and scalars rebuilt from their values
            "pandas._libs.internals._unpickle_block", "pandas.core.internals.managers.BlockManager",
            "pandas.core.internals.managers.SingleBlockManager", "pandas.core.indexes.base._new_Index",
            "pandas.core.indexes.datetimes._new_DatetimeIndex", "pandas.core.indexes.period._new_PeriodIndex",
            "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked", "pandas._libs.interval.__pyx_unpickle_IntervalMixin",
            "pandas._libs.tslibs.timestamps._unpickle_timestamp", "pandas._libs.tslibs.timedeltas._timedelta_unpickle",
            "pandas._libs.tslibs.nattype.__nat_unpickle", "pandas._libs.tslibs.period.Period",
            "pandas._libs.interval.Interval", "pandas._libs.sparse.IntIndex", "pandas._libs.sparse.BlockIndex",
            "pandas._libs.missing.NA", "pandas.core.dtypes.dtypes.PeriodDtype",
            "pandas.core.dtypes.dtypes.CategoricalDtype", "pandas.core.dtypes.dtypes.DatetimeTZDtype",
            "pandas.core.dtypes.dtypes.IntervalDtype", "pandas.core.arrays.sparse.dtype.SparseDtype",
            // scikit-learn's Cython trees, built from their sizes and then given their node arrays; newObj(cls) is
            // cls.__new__(cls), the class being judged as its own global
            "sklearn.tree._tree.Tree", "sklearn.neighbors._kd_tree.newObj", "sklearn.neighbors._ball_tree.newObj",
            "sklearn.metrics._dist_metrics.newObj",
            // pytz time zones, looked up by name among the zones pytz ships (an unknown name raises)
            "pytz._p", "pytz._UTC", "pytz.timezone");

    /** numpy 2 pickles dtypes through their classes, {@code numpy.dtypes.Float64DType} and so on. */
    private static boolean safePattern(String module, String name) {
        if (module.equals("numpy.dtypes") && name.endsWith("DType") && name.indexOf('.') < 0
                && !name.startsWith("_")) {
            return true;
        }
        // pandas' date offsets (MonthEnd(1, False), Day(2)): value types called with their count and flags.
        return module.equals("pandas._libs.tslibs.offsets") && isClassName(name);
    }

    /**
     * Classes of data-holding libraries that may be <em>instantiated</em> ({@code NEWOBJ}, {@code cls.__new__},
     * {@code copyreg._reconstructor} then {@code BUILD}), which runs no constructor: their {@code __setstate__} is
     * the library's generic one (scikit-learn's {@code BaseEstimator}, torch's {@code Module}, pandas' objects,
     * scipy's sparse matrices) and only stores the state. <em>Calling</em> such a class with {@code REDUCE} runs its
     * {@code __init__}, which {@link PickleEmulator} reports as SUSPICIOUS unless the name is also a rebuilder
     * above. Modules that do I/O ({@code pandas.io}, {@code sklearn.externals.joblib}) are on the dangerous list,
     * which is checked first.
     */
    static boolean instantiable(String module, String name) {
        if (!isClassName(name)) {
            return false;
        }
        if (module.startsWith("sklearn.") || module.startsWith("torch.nn.modules.")
                || module.startsWith("pandas.core.") || module.startsWith("pandas._libs.")) {
            return true;
        }
        return module.startsWith("scipy.sparse") && name.matches("(csr|csc|coo|bsr|dia|dok|lil)_(matrix|array)");
    }

    /** Whether a data-only policy allows this class to be instantiated from its state but not to be called. */
    static boolean instantiableOnly(String module, String name) {
        return instantiable(module, name) && !SAFE_ECOSYSTEM.contains(module + "." + name)
                && !SAFE.contains(module + "." + name) && !safePattern(module, name);
    }

    /** A plain class name as libraries spell them: CapWords, or scipy's lower-case sparse classes. */
    private static boolean isClassName(String name) {
        if (name.isEmpty() || name.indexOf('.') >= 0) {
            return false;
        }
        if (Character.isUpperCase(name.charAt(0))) {
            return name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_');
        }
        return name.matches("[a-z]{3}_(matrix|array)");
    }

    /**
     * Modules whose every name runs code, touches the system, or loads something else: all their names, and
     * their submodules', are DANGEROUS.
     */
    private static final Set<String> DANGEROUS_MODULES = Set.of(
            "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "_posixsubprocess", "_winapi", "sys", "pty",
            "shutil", "socket", "_socket", "ctypes", "_ctypes", "cffi", "importlib", "imp", "zipimport", "pkgutil",
            "runpy", "code", "codeop", "pickle", "_pickle", "cPickle", "pickletools", "marshal", "shelve", "dill",
            "cloudpickle", "joblib", "types", "multiprocessing", "concurrent", "asyncio", "threading", "_thread",
            "signal", "webbrowser", "urllib", "urllib2", "http", "httplib", "ftplib", "smtplib", "telnetlib",
            "imaplib", "poplib", "nntplib", "xmlrpc", "xmlrpclib", "requests", "pip", "setuptools",
            "pkg_resources", "distutils", "ensurepip", "venv", "pdb", "bdb", "trace", "profile", "cProfile",
            "timeit", "doctest", "pydoc", "idlelib", "tkinter", "commands", "platform", "gc", "inspect",
            "builtins", "__builtin__", "site", "sysconfig", "tempfile", "glob", "fileinput", "io",
            "_io", "codecs", "mmap", "fcntl", "resource", "pwd", "grp", "spwd", "crypt", "syslog", "readline",
            "rlcompleter", "ast", "dis", "compileall", "py_compile", "zipapp", "tarfile", "zipfile", "bz2", "lzma",
            "gzip", "yaml", "jsonpickle", "torch.serialization", "torch.hub", "torch.jit", "torch.package",
            "torch._C", "torch.storage._load_from_bytes", "numpy.lib.npyio", "numpy.testing", "numpy.f2py",
            "numpy.distutils", "pandas.io", "_operator", "sklearn.externals.joblib",
            // run code in a new interpreter, or compile the code they are given
            "_xxsubinterpreters", "_interpreters", "_xxinterpchannels", "lib2to3", "pipes", "torch.utils.bottleneck",
            "torch.fx", "torch._dynamo", "torch._inductor", "torch.utils.cpp_extension",
            // scanners, which a payload may patch to hide from them
            "picklescan", "modelscan", "fickling", "pickle_scanner");

    /** Callables that run code, fetch or load, wherever they live; names here are DANGEROUS. */
    private static final Set<String> DANGEROUS_NAMES = Set.of(
            "builtins.eval", "builtins.exec", "builtins.compile", "builtins.open", "builtins.getattr",
            "builtins.setattr", "builtins.delattr", "builtins.__import__", "builtins.globals", "builtins.locals",
            "builtins.vars", "builtins.input", "builtins.breakpoint", "builtins.apply", "builtins.execfile",
            "builtins.file", "builtins.reload", "builtins.help",
            "operator.attrgetter", "operator.methodcaller", "operator.call", "operator.setitem", "operator.delitem",
            "operator.itemgetter", "functools.partial", "functools.reduce", "functools.partialmethod",
            "torch.load", "torch.storage._load_from_bytes", "numpy.load", "numpy.loadtxt", "numpy.fromfile",
            "numpy.save", "pandas.read_pickle", "torch.save", "copyreg._extension_registry", "copyreg.add_extension",
            "copy_reg.add_extension", "copyreg.dispatch_table", "copyreg.pickle", "random._os",
            "uuid._get_command_stdout", "_osx_support._read_output", "_aix_support._read_cmd_output",
            "ensurepip._run_pip", "lib2to3.main", "smtpd.DebuggingServer", "logging.config.listen",
            "logging.config.fileConfig", "logging.config.dictConfig",
            // gadgets of the 2024-2025 scanner bypasses: each evaluates a string or runs a command
            "lib2to3.pgen2.pgen.ParserGenerator.make_label", "typing.ForwardRef._evaluate", "typing._eval_type",
            "dataclasses._create_fn", "dataclasses._FuncBuilder", "pipes.Template", "logging.config._resolve",
            "logging.config.BaseConfigurator.resolve", "logging.handlers.RotatingFileHandler",
            "logging.handlers.TimedRotatingFileHandler", "logging.FileHandler", "logging.handlers.WatchedFileHandler",
            "logging.handlers.SocketHandler", "logging.handlers.HTTPHandler", "logging.handlers.SMTPHandler",
            "torch.utils.bottleneck.__main__.run_cprofile", "torch.fx.graph_module.reduce_graph_module",
            "torch.fx.graph_module.reduce_package_graph_module", "torch.fx.graph_module._deserialize_graph_module",
            "torch.fx.graph_module._exec_with_source", "torch.fx.graph_module._forward_from_src");

    /** Attribute names that, anywhere on a dotted path, reach interpreter internals or run code. */
    private static final Set<String> DANGEROUS_ATTRIBUTES = Set.of(
            "system", "popen", "popen2", "popen3", "popen4", "spawn", "spawnl", "spawnv", "spawnlp", "spawnvp",
            "execl", "execle", "execlp", "execv", "execve", "execvp", "execvpe", "fork", "forkpty", "kill",
            "eval", "exec", "execfile", "compile", "getattr", "setattr", "delattr", "globals", "locals", "vars",
            "load", "loads", "load_module", "import_module", "reload", "run", "call", "check_call", "check_output",
            "getoutput", "getstatusoutput", "Popen", "open", "remove", "unlink", "rmdir", "rmtree", "rename",
            "write", "write_text", "write_bytes", "chmod", "chown", "mkdir", "makedirs", "urlopen", "urlretrieve",
            "connect", "create_connection", "create_subprocess_exec", "create_subprocess_shell", "interact",
            "runsource", "runcode", "run_module", "run_path", "pipepager", "tempfilepager", "pager", "startfile",
            "system_call", "modules", "environ", "putenv", "attrgetter", "methodcaller", "partial", "resolve_name",
            "find_class", "Unpickler", "run_string", "run_cprofile", "make_label", "_evaluate", "_eval_type",
            "_create_fn", "_exec_with_source", "_forward_from_src", "reduce_graph_module");

    /** The verdict for a global, given as CPython would import it and as written in the stream. */
    static Verdict judge(String module, String name, String writtenModule, String writtenName) {
        Verdict v = judgeOne(module, name);
        if (v == Verdict.SUSPICIOUS && (!module.equals(writtenModule) || !name.equals(writtenName))) {
            // A Python 2 reader imports the name as written; the stricter reading wins. (A rename to a SAFE name
            // is trusted: _compat_pickle maps each Python 2 name to the very same object under Python 3.)
            Verdict asWritten = judgeOne(writtenModule, writtenName);
            if (asWritten == Verdict.DANGEROUS) {
                return asWritten;
            }
        }
        return v;
    }

    private static Verdict judgeOne(String module, String name) {
        if (SAFE.contains(module + "." + name) || SAFE_ECOSYSTEM.contains(module + "." + name)
                || safePattern(module, name)) {
            return Verdict.SAFE;
        }
        if (DANGEROUS_NAMES.contains(module + "." + name) || inDangerousModule(module)) {
            return Verdict.DANGEROUS;
        }

        String[] parts = name.split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.startsWith("__") && part.endsWith("__") && part.length() > 4) {
                // __globals__, __builtins__, __subclasses__, __class__, __dict__, __import__...: interpreter internals.
                return Verdict.DANGEROUS;
            }
            if (DANGEROUS_MODULES.contains(part) || DANGEROUS_ATTRIBUTES.contains(part)) {
                return Verdict.DANGEROUS;
            }
            // A prefix of the dotted path can itself be a dangerous name: pkgutil.resolve_name, builtins.getattr.
            String prefix = module + "." + String.join(".", java.util.Arrays.copyOf(parts, i + 1));
            if (DANGEROUS_NAMES.contains(prefix)) {
                return Verdict.DANGEROUS;
            }
        }
        if (instantiable(module, name)) {
            return Verdict.SAFE;   // as an import; PickleEmulator reports a call of it
        }
        // Unknown to the policy: never DANGEROUS for its spelling alone (pandas' _unpickle_block and Cython's
        // __pyx_unpickle_* rebuild data), only for what a listed name is known to do.
        return Verdict.SUSPICIOUS;
    }

    private static boolean inDangerousModule(String module) {
        String m = module;
        while (true) {
            if (DANGEROUS_MODULES.contains(m)) {
                return true;
            }
            int dot = m.lastIndexOf('.');
            if (dot < 0) {
                break;
            }
            m = m.substring(0, dot);
        }
        // Any package's own copy of a dangerous module: torch.serialization.os, mypkg.vendor.subprocess.
        for (String part : module.split("\\.", -1)) {
            if (part.equals("os") || part.equals("subprocess") || part.equals("sys") || part.equals("builtins")
                    || part.equals("pickle") || part.equals("posix") || part.equals("nt") || part.equals("pty")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The verdict for a name in Brine's runtime module, after a recognised portable header: the class registry and
     * rebuilders are data; {@code function} compiles Python source the stream carries, and {@code _install} and
     * anything else the runtime does not define for data are not vouched for.
     */
    static Verdict judgeRuntimeName(String name) {
        switch (name) {
            case "cls": case "boot": case "zone": case "as_array": case "as_ndarray": case "importable":
                return Verdict.SAFE;
            default:
                return name.startsWith("_make_") ? Verdict.SAFE : Verdict.SUSPICIOUS;
        }
    }
}
