package dev.brine.scan;

/**
 * Brine's default {@link Policy}, as data: the lists below, each group with the reason its entries are there.
 * Allow-list first, as PyTorch's {@code weights_only} unpickler: an exact name on the list of known data types is
 * SAFE; a name reaching a module or callable on the curated list of code-running ones is DANGEROUS; anything else is
 * SUSPICIOUS, since importing it already runs that module's code.
 *
 * <p>Names are judged as CPython's {@code find_class} would import them: the caller applies the
 * {@code _compat_pickle} renames and passes both spellings ({@link #judge}), and a dotted name
 * ({@code pathlib.os.system}, walked attribute by attribute at protocol 4 and up) is judged by every part of its path.
 */
final class NamePolicy {
    private NamePolicy() {
    }

    private static void group(Policy.Builder b, Policy.Kind kind, String reason, String... names) {
        for (String n : names) {
            b.add(kind, n, reason);
        }
    }

    /**
     * Adds Brine's rules to {@code b}: code-running modules, names and attributes first, then the data types and
     * rebuilders (an allow of an exact name outranks a deny of its module, as for {@code builtins.set}), then the
     * classes that may only be instantiated.
     */
    static Policy.Builder defaults(Policy.Builder b) {
        group(b, Policy.Kind.DENY,
                "runs commands, loads code or data, or touches the system",
                "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "_posixsubprocess", "_winapi", "sys",
                "pty", "shutil", "socket", "_socket", "ctypes", "_ctypes", "cffi", "importlib", "imp", "zipimport",
                "pkgutil", "runpy", "code", "codeop", "pickle", "_pickle", "cPickle", "pickletools", "marshal",
                "shelve", "dill", "cloudpickle", "joblib", "types", "multiprocessing", "concurrent", "asyncio",
                "threading", "_thread", "signal", "webbrowser", "urllib", "urllib2", "http", "httplib", "ftplib",
                "smtplib", "telnetlib", "imaplib", "poplib", "nntplib", "xmlrpc", "xmlrpclib", "requests", "pip",
                "setuptools", "pkg_resources", "distutils", "ensurepip", "venv", "pdb", "bdb", "trace", "profile",
                "cProfile", "timeit", "doctest", "pydoc", "idlelib", "tkinter", "commands", "platform", "gc",
                "inspect", "builtins", "__builtin__", "site", "sysconfig", "tempfile", "glob", "fileinput", "io",
                "_io", "codecs", "mmap", "fcntl", "resource", "pwd", "grp", "spwd", "crypt", "syslog", "readline",
                "rlcompleter", "ast", "dis", "compileall", "py_compile", "zipapp", "tarfile", "zipfile", "bz2",
                "lzma", "gzip", "yaml", "jsonpickle", "torch.serialization", "torch.hub", "torch.jit",
                "torch.package", "torch._C", "torch.storage._load_from_bytes", "numpy.lib.npyio", "numpy.testing",
                "numpy.f2py", "numpy.distutils", "pandas.io", "_operator", "sklearn.externals.joblib");
        group(b, Policy.Kind.DENY,
                "runs code in a new interpreter, or compiles the code it is given",
                "_xxsubinterpreters", "_interpreters", "_xxinterpchannels", "lib2to3", "pipes",
                "torch.utils.bottleneck", "torch.fx", "torch._dynamo", "torch._inductor",
                "torch.utils.cpp_extension");
        group(b, Policy.Kind.DENY,
                "a scanner, which a payload may patch to hide from it",
                "picklescan", "modelscan", "fickling", "pickle_scanner");
        group(b, Policy.Kind.DENY,
                "runs code, fetches or loads",
                "builtins.eval", "builtins.exec", "builtins.compile", "builtins.open", "builtins.getattr",
                "builtins.setattr", "builtins.delattr", "builtins.__import__", "builtins.globals", "builtins.locals",
                "builtins.vars", "builtins.input", "builtins.breakpoint", "builtins.apply", "builtins.execfile",
                "builtins.file", "builtins.reload", "builtins.help", "operator.attrgetter", "operator.methodcaller",
                "operator.call", "operator.setitem", "operator.delitem", "operator.itemgetter", "functools.partial",
                "functools.reduce", "functools.partialmethod", "torch.load", "torch.storage._load_from_bytes",
                "numpy.load", "numpy.loadtxt", "numpy.fromfile", "numpy.save", "pandas.read_pickle", "torch.save",
                "copyreg._extension_registry", "copyreg.add_extension", "copy_reg.add_extension",
                "copyreg.dispatch_table", "copyreg.pickle", "random._os", "uuid._get_command_stdout",
                "_osx_support._read_output", "_aix_support._read_cmd_output", "ensurepip._run_pip", "lib2to3.main",
                "smtpd.DebuggingServer", "logging.config.listen", "logging.config.fileConfig",
                "logging.config.dictConfig");
        group(b, Policy.Kind.DENY,
                "a gadget of the 2024-2025 scanner bypasses: evaluates a string or runs a command",
                "lib2to3.pgen2.pgen.ParserGenerator.make_label", "typing.ForwardRef._evaluate", "typing._eval_type",
                "dataclasses._create_fn", "dataclasses._FuncBuilder", "pipes.Template", "logging.config._resolve",
                "logging.config.BaseConfigurator.resolve", "logging.handlers.RotatingFileHandler",
                "logging.handlers.TimedRotatingFileHandler", "logging.FileHandler",
                "logging.handlers.WatchedFileHandler", "logging.handlers.SocketHandler",
                "logging.handlers.HTTPHandler", "logging.handlers.SMTPHandler",
                "torch.utils.bottleneck.__main__.run_cprofile", "torch.fx.graph_module.reduce_graph_module",
                "torch.fx.graph_module.reduce_package_graph_module",
                "torch.fx.graph_module._deserialize_graph_module", "torch.fx.graph_module._exec_with_source",
                "torch.fx.graph_module._forward_from_src");
        group(b, Policy.Kind.DENY_ATTRIBUTE,
                "an attribute that runs code or a command, does I/O or loads",
                "system", "popen", "popen2", "popen3", "popen4", "spawn", "spawnl", "spawnv", "spawnlp", "spawnvp",
                "execl", "execle", "execlp", "execv", "execve", "execvp", "execvpe", "fork", "forkpty", "kill",
                "eval", "exec", "execfile", "compile", "getattr", "setattr", "delattr", "globals", "locals", "vars",
                "load", "loads", "load_module", "import_module", "reload", "run", "call", "check_call",
                "check_output", "getoutput", "getstatusoutput", "Popen", "open", "remove", "unlink", "rmdir",
                "rmtree", "rename", "write", "write_text", "write_bytes", "chmod", "chown", "mkdir", "makedirs",
                "urlopen", "urlretrieve", "connect", "create_connection", "create_subprocess_exec",
                "create_subprocess_shell", "interact", "runsource", "runcode", "run_module", "run_path", "pipepager",
                "tempfilepager", "pager", "startfile", "system_call", "modules", "environ", "putenv", "attrgetter",
                "methodcaller", "partial", "resolve_name", "find_class", "Unpickler", "run_string", "run_cprofile",
                "make_label", "_evaluate", "_eval_type", "_create_fn", "_exec_with_source", "_forward_from_src",
                "reduce_graph_module");
        group(b, Policy.Kind.ALLOW,
                "a stdlib data type or its rebuilder, as CPython's picklers write plain data",
                "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.bytes", "builtins.complex",
                "builtins.int", "builtins.float", "builtins.str", "builtins.list", "builtins.dict", "builtins.tuple",
                "builtins.bool", "builtins.slice", "builtins.range", "builtins.object", "builtins.NoneType",
                "builtins.Ellipsis", "builtins.NotImplemented", "_codecs.encode", "copyreg._reconstructor",
                "copyreg.__newobj__", "copyreg.__newobj_ex__", "collections.OrderedDict", "collections.defaultdict",
                "collections.deque", "collections.Counter", "collections.ChainMap", "collections.UserDict",
                "collections.UserList", "collections.UserString", "datetime.datetime", "datetime.date",
                "datetime.time", "datetime.timedelta", "datetime.timezone", "decimal.Decimal", "fractions.Fraction",
                "uuid.UUID", "array.array", "array._array_reconstructor", "zoneinfo.ZoneInfo",
                "zoneinfo.ZoneInfo._unpickle", "zoneinfo._common._load_tzdata", "ipaddress.IPv4Address",
                "ipaddress.IPv6Address", "ipaddress.IPv4Network", "ipaddress.IPv6Network", "pathlib.PurePosixPath",
                "pathlib.PureWindowsPath", "pathlib.PosixPath", "pathlib.WindowsPath");
        group(b, Policy.Kind.ALLOW,
                "numpy's array, scalar and dtype rebuilders (numpy 1 and 2 names)",
                "numpy.ndarray", "numpy.dtype", "numpy.core.multiarray._reconstruct",
                "numpy._core.multiarray._reconstruct", "numpy.core.multiarray.scalar",
                "numpy._core.multiarray.scalar", "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
                "numpy.ma.core._mareconstruct", "numpy.ma.core.MaskedArray",
                "numpy.random._pickle.__randomstate_ctor", "numpy.matrix");
        group(b, Policy.Kind.ALLOW,
                "torch's tensor rebuilders and storages, as torch.serialization's weights_only allow-list",
                "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
                "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
                "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_qtensor",
                "torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_wrapper_subclass",
                "torch._utils._rebuild_nested_tensor", "torch.nn.parameter.Parameter", "torch.Size", "torch.device",
                "torch.Tensor", "torch.serialization._get_layout", "torch.storage.UntypedStorage",
                "torch.storage.TypedStorage", "torch._tensor._rebuild_from_type_v2", "torch.FloatStorage",
                "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.LongStorage",
                "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage",
                "torch.BoolStorage", "torch.ComplexFloatStorage", "torch.ComplexDoubleStorage", "torch.QInt8Storage",
                "torch.QUInt8Storage", "torch.QInt32Storage", "torch.QUInt4x2Storage", "torch.QUInt2x4Storage",
                "torch.float32", "torch.float64", "torch.float16", "torch.bfloat16", "torch.int64", "torch.int32", "torch.int16",
                "torch.int8", "torch.uint8", "torch.bool", "torch.complex64", "torch.complex128", "torch.strided",
                "torch.sparse_coo", "torch.contiguous_format", "torch.channels_last", "torch.per_tensor_affine",
                "torch.per_channel_affine");
        group(b, Policy.Kind.ALLOW,
                "joblib's array wrapper: the data follows in the file, not in the pickle",
                "joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper");
        group(b, Policy.Kind.ALLOW,
                "numpy record arrays, scalar types and bit-generator constructors (looked up in numpy's own table): build a value from the data given",
                "numpy.recarray", "numpy.record", "numpy.core.records.recarray", "numpy.core.records.record",
                "numpy.random._pickle.__bit_generator_ctor", "numpy.random._pickle.__generator_ctor", "numpy.bool_",
                "numpy.int8", "numpy.int16", "numpy.int32", "numpy.int64", "numpy.uint8", "numpy.uint16",
                "numpy.uint32", "numpy.uint64", "numpy.float16", "numpy.float32", "numpy.float64",
                "numpy.longdouble", "numpy.complex64", "numpy.complex128", "numpy.str_", "numpy.bytes_",
                "numpy.datetime64", "numpy.timedelta64", "numpy.void");
        group(b, Policy.Kind.ALLOW,
                "pandas blocks, indexes, extension arrays and scalars rebuilt from their values; a class argument is judged as its own global",
                "pandas._libs.internals._unpickle_block", "pandas.core.internals.managers.BlockManager",
                "pandas.core.internals.managers.SingleBlockManager", "pandas.core.indexes.base._new_Index",
                "pandas.core.indexes.datetimes._new_DatetimeIndex", "pandas.core.indexes.period._new_PeriodIndex",
                "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked",
                "pandas._libs.interval.__pyx_unpickle_IntervalMixin",
                "pandas._libs.tslibs.timestamps._unpickle_timestamp",
                "pandas._libs.tslibs.timedeltas._timedelta_unpickle", "pandas._libs.tslibs.nattype.__nat_unpickle",
                "pandas._libs.tslibs.period.Period", "pandas._libs.interval.Interval",
                "pandas._libs.sparse.IntIndex", "pandas._libs.sparse.BlockIndex", "pandas._libs.missing.NA",
                "pandas.core.dtypes.dtypes.PeriodDtype", "pandas.core.dtypes.dtypes.CategoricalDtype",
                "pandas.core.dtypes.dtypes.DatetimeTZDtype", "pandas.core.dtypes.dtypes.IntervalDtype",
                "pandas.core.arrays.sparse.dtype.SparseDtype");
        group(b, Policy.Kind.ALLOW,
                "scikit-learn's Cython trees (sizes, then node arrays) and newObj(cls), which is cls.__new__(cls)",
                "sklearn.tree._tree.Tree", "sklearn.neighbors._kd_tree.newObj",
                "sklearn.neighbors._ball_tree.newObj", "sklearn.metrics._dist_metrics.newObj");
        group(b, Policy.Kind.ALLOW,
                "pytz zones, looked up by name among those pytz ships (an unknown name raises)",
                "pytz._p", "pytz._UTC", "pytz.timezone");
        // Any package's own copy of a dangerous module: torch.serialization.os, mypkg.vendor.subprocess.
        for (String part : new String[] {"os", "subprocess", "sys", "builtins", "pickle", "posix", "nt", "pty"}) {
            b.denyModulePart(part, "a package's own copy of a code-running module (mypkg.vendor." + part + ")");
        }
        // numpy 2 pickles dtypes through their classes; pandas' date offsets are value types called with their count.
        b.allow("numpy.dtypes.*DType", "numpy 2's dtype classes, by which it pickles dtypes");
        b.allow("pandas._libs.tslibs.offsets.[A-Z]*", "pandas' date offsets (MonthEnd(1, False)): value types "
                + "called with their count and flags");
        // Classes whose __setstate__ is the library's generic one (scikit-learn's BaseEstimator, torch's Module,
        // pandas' objects, scipy's sparse matrices) and only stores the state. Calling one with REDUCE runs its
        // __init__ and stays SUSPICIOUS. Modules that do I/O (pandas.io, sklearn.externals.joblib) are denied above.
        String generic = "its __setstate__ only stores the state: SAFE to instantiate (NEWOBJ, cls.__new__, "
                + "copyreg._reconstructor then BUILD), not to call";
        b.instantiable("sklearn.", "scikit-learn estimators: " + generic);
        b.instantiable("torch.nn.modules.", "torch modules: " + generic);
        b.instantiable("pandas.core.", "pandas objects: " + generic);
        b.instantiable("pandas._libs.", "pandas objects: " + generic);
        for (String kind : new String[] {"csr", "csc", "coo", "bsr", "dia", "dok", "lil"}) {
            for (String shape : new String[] {"matrix", "array"}) {
                b.instantiable("scipy.sparse**." + kind + "_" + shape, "scipy sparse matrices: " + generic);
            }
        }
        return b;
    }

    /** The verdict for a global as CPython would import it and as written in the stream, and its rule. */
    static Policy.Decision judge(Policy policy, String module, String name, String writtenModule, String writtenName) {
        Policy.Decision d = policy.judge(module, name);
        if (d.verdict() == Verdict.SUSPICIOUS && (!module.equals(writtenModule) || !name.equals(writtenName))) {
            // A Python 2 reader imports the name as written; the stricter reading wins. (A rename to a SAFE name
            // is trusted: _compat_pickle maps each Python 2 name to the very same object under Python 3.)
            Policy.Decision asWritten = policy.judge(writtenModule, writtenName);
            if (asWritten.verdict() == Verdict.DANGEROUS) {
                return asWritten;
            }
        }
        return d;
    }

    /**
     * The verdict for a name in Brine's runtime module, after a recognised portable header: the class registry and
     * rebuilders are data; {@code function} compiles Python source the stream carries, and {@code _install} and
     * anything else the runtime does not define for data are not vouched for. The names that build CPython code
     * objects from the bytecode a rewritten dill or cloudpickle stream carries, and functions from them, run that
     * bytecode: dangerous, as the libraries' own constructors are.
     */
    static Verdict judgeRuntimeName(String name) {
        switch (name) {
            case "code_for": case "types_for": case "d_function": case "cp_function":
                return Verdict.DANGEROUS;
            case "cls": case "boot": case "zone": case "as_array": case "as_ndarray": case "importable":
                return Verdict.SAFE;
            default:
                return name.startsWith("_make_") ? Verdict.SAFE : Verdict.SUSPICIOUS;
        }
    }
}
