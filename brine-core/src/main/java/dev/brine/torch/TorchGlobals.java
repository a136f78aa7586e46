package dev.brine.torch;

import dev.brine.PickleException;
import dev.brine.internal.read.ReadExtension;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyBytes;
import dev.brine.value.PyTuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The torch globals Brine interprets, and the reading side of a torch pickle: the rebuild functions that
 * {@code torch.load(weights_only=True)} allows become {@link Tensor}s, persistent ids become {@link Storage}s, and
 * every other global stays an inert node. No torch code is named by anything Brine runs: each function here is
 * read off its name and arguments.
 */
final class TorchGlobals implements ReadExtension {
    static final GlobalRef REBUILD_TENSOR_V2 = new GlobalRef("torch._utils", "_rebuild_tensor_v2");
    static final GlobalRef REBUILD_TENSOR = new GlobalRef("torch._utils", "_rebuild_tensor");
    static final GlobalRef REBUILD_PARAMETER = new GlobalRef("torch._utils", "_rebuild_parameter");
    static final GlobalRef REBUILD_QTENSOR = new GlobalRef("torch._utils", "_rebuild_qtensor");
    static final GlobalRef LOAD_FROM_BYTES = new GlobalRef("torch.storage", "_load_from_bytes");

    /**
     * What {@code torch.load(weights_only=True)} of torch 1.13 accepts besides the storage and tensor classes and
     * dtypes: {@code torch/_weights_only_unpickler.py}'s {@code _get_allowed_globals}.
     */
    private static final Set<GlobalRef> WEIGHTS_ONLY = Set.of(
            new GlobalRef("collections", "OrderedDict"),
            new GlobalRef("torch.nn.parameter", "Parameter"),
            new GlobalRef("torch.serialization", "_get_layout"),
            new GlobalRef("torch", "Size"),
            new GlobalRef("torch", "Tensor"),
            REBUILD_PARAMETER, REBUILD_TENSOR, REBUILD_TENSOR_V2,
            new GlobalRef("torch._utils", "_rebuild_sparse_tensor"),
            new GlobalRef("torch._utils", "_rebuild_meta_tensor_no_storage"),
            new GlobalRef("torch._utils", "_rebuild_sparse_csr_tensor"));
    private static final Set<String> WEIGHTS_ONLY_DTYPES = Set.of("complex32", "complex64", "complex128", "float16",
            "float32", "float64", "int8", "int16", "int32", "int64");

    private final boolean weightsOnly;
    /** Reads the legacy file a {@code torch.storage._load_from_bytes} call carries. */
    private final Function<PyBytes, Object> nestedLegacy;

    TorchGlobals(boolean weightsOnly, Function<PyBytes, Object> nestedLegacy) {
        this.weightsOnly = weightsOnly;
        this.nestedLegacy = nestedLegacy;
    }

    /** Whether {@code torch.load(weights_only=True)} would accept {@code g}. */
    static boolean weightsOnlyAllows(GlobalRef g) {
        if (WEIGHTS_ONLY.contains(g)) {
            return true;
        }
        if (!g.module().equals("torch") && !g.module().equals("torch.cuda")) {
            return false;
        }
        String n = g.name();
        return WEIGHTS_ONLY_DTYPES.contains(n) && g.module().equals("torch")
                || n.endsWith("Storage") && (TorchDtype.byStorageClass(n) != null || n.equals("UntypedStorage"))
                || n.endsWith("Tensor") && TorchDtype.byStorageClass(n.substring(0, n.length() - 6) + "Storage") != null;
    }

    @Override
    public String refuse(GlobalRef global) {
        if (weightsOnly && !weightsOnlyAllows(global)) {
            return "torch.load(weights_only=True) refuses it (TorchFile.reader().strict(true))";
        }
        return null;
    }

    @Override
    public boolean knows(GlobalRef global) {
        return weightsOnlyAllows(global) || global.equals(LOAD_FROM_BYTES);
    }

    @Override
    public Object call(GlobalRef callable, PyTuple args) {
        if (!callable.module().startsWith("torch")) {
            return NOT_HANDLED;
        }
        if (callable.equals(REBUILD_TENSOR_V2) || callable.equals(REBUILD_TENSOR)) {
            return rebuildTensor(callable, args);
        }
        if (callable.equals(REBUILD_QTENSOR)) {
            // _rebuild_qtensor(storage, storage_offset, size, stride, quantizer_params, requires_grad, hooks)
            if (args.size() != 7) {
                return NOT_HANDLED;
            }
            Object tensor = rebuildTensor(REBUILD_TENSOR_V2, PyTuple.of(args.get(0), args.get(1), args.get(2),
                    args.get(3), args.get(5), args.get(6)));
            return tensor instanceof Tensor ? ((Tensor) tensor).withQuantizer(args.get(4)) : NOT_HANDLED;
        }
        if (callable.equals(REBUILD_PARAMETER)) {
            // _rebuild_parameter(data, requires_grad, backward_hooks)
            if (args.size() != 3 || !(args.get(0) instanceof Tensor) || !(args.get(1) instanceof Boolean)) {
                throw bad(callable, args, "(tensor, requires_grad, backward_hooks)");
            }
            Tensor data = (Tensor) args.get(0);
            return layout(() -> Tensor.view(data.storageObject(), data.storageOffset(), data.shape(), data.stride(),
                    (Boolean) args.get(1), true, args.get(2)));
        }
        if (callable.equals(LOAD_FROM_BYTES)) {
            if (args.size() != 1 || !(args.get(0) instanceof PyBytes)) {
                throw bad(callable, args, "(bytes,)");
            }
            return nestedLegacy.apply((PyBytes) args.get(0));
        }
        return NOT_HANDLED;
    }

    /**
     * {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}
     * and the older {@code _rebuild_tensor(storage, storage_offset, size, stride)}. A call with other arguments,
     * or with metadata, stays an inert node.
     */
    private Object rebuildTensor(GlobalRef callable, PyTuple args) {
        boolean v2 = callable.equals(REBUILD_TENSOR_V2);
        if (v2 ? args.size() != 6 : args.size() != 4) {
            return NOT_HANDLED;
        }
        if (!(args.get(0) instanceof Storage) || !(args.get(1) instanceof Long)
                || !(args.get(2) instanceof PyTuple) || !(args.get(3) instanceof PyTuple)
                || v2 && !(args.get(4) instanceof Boolean)) {
            throw bad(callable, args, v2 ? "(storage, storage_offset, size, stride, requires_grad, backward_hooks)"
                    : "(storage, storage_offset, size, stride)");
        }
        Storage storage = (Storage) args.get(0);
        long offset = (Long) args.get(1);
        long[] shape = longs((PyTuple) args.get(2), callable, "size");
        long[] stride = longs((PyTuple) args.get(3), callable, "stride");
        boolean grad = v2 && (Boolean) args.get(4);
        Object hooks = v2 ? args.get(5) : null;
        return layout(() -> Tensor.view(storage, offset, shape, stride, grad, false, hooks), storage);
    }

    private static long[] longs(PyTuple t, GlobalRef callable, String what) {
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.get(i) instanceof Long)) {
                throw new PickleException(callable + ": " + what + "[" + i + "] is not an int: " + t.get(i), -1, null);
            }
            out[i] = (Long) t.get(i);
        }
        return out;
    }

    private interface Layout {
        Tensor make();
    }

    private static Tensor layout(Layout make) {
        return layout(make, null);
    }

    /** A tensor whose layout the storage cannot hold fails as a PickleException naming the storage's entry. */
    private static Tensor layout(Layout make, Storage storage) {
        try {
            return make.make();
        } catch (IllegalArgumentException e) {
            String problem = "bad tensor layout: " + e.getMessage();
            throw storage == null ? new PickleException(problem, -1, null)
                    : PickleException.inEntry(storage.key(), problem);
        }
    }

    private static PickleException bad(GlobalRef callable, PyTuple args, String expected) {
        List<String> types = new ArrayList<>();
        for (Object a : args) {
            types.add(a == null ? "None" : a.getClass().getSimpleName());
        }
        return new PickleException(callable + " takes " + expected + ", found (" + String.join(", ", types) + ")",
                -1, null);
    }
}
