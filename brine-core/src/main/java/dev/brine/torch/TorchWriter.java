package dev.brine.torch;

import dev.brine.internal.archive.ZipWriter;
import dev.brine.internal.write.PickleWriter;
import dev.brine.internal.write.WriteConfig;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import dev.brine.value.PyOrderedDict;
import dev.brine.value.PyTuple;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a checkpoint in the zip format of {@code torch.save}: {@code data.pkl} (protocol 2, as torch writes it)
 * with each storage as a persistent id, one stored record per storage at a 64-byte aligned offset, the byte order
 * and the format version. One writer writes one file.
 */
final class TorchWriter {
    /** torch's {@code kFieldAlignment}: record data starts at a multiple of 64 bytes. */
    static final int ALIGNMENT = 64;
    /** The zip format version torch 1.13 writes and reads ({@code kProducedFileFormatVersion}). */
    private static final String FORMAT_VERSION = "3\n";
    private static final int PROTOCOL = 2;

    private final IdentityHashMap<Storage, String> keys = new IdentityHashMap<>();
    private final List<Storage> order = new ArrayList<>();

    /** Writes {@code value} as the archive whose records sit in folder {@code archive}; closes {@code out}. */
    static void write(OutputStream out, String archive, Object value) throws IOException {
        new TorchWriter().run(out, archive, value);
    }

    private void run(OutputStream out, String archive, Object value) throws IOException {
        WriteConfig config = new WriteConfig(PROTOCOL, true, null, this::persistentId, Map.of(),
                List.of(new WriteConfig.Adapter(Tensor.class, t -> reduce((Tensor) t))), false);
        byte[] pickle = PickleWriter.dumps(config, value);
        try (ZipWriter zip = new ZipWriter(out)) {
            zip.putStored(archive + "/data.pkl", ByteBuffer.wrap(pickle), ALIGNMENT);
            zip.putStored(archive + "/byteorder", ascii("little"), ALIGNMENT);
            for (Storage s : order) {
                zip.putStored(archive + "/data/" + keys.get(s), littleEndian(s), ALIGNMENT);
            }
            zip.putStored(archive + "/version", ascii(FORMAT_VERSION), ALIGNMENT);
        }
    }

    /** {@code torch.serialization._save}'s persistent id: {@code ('storage', storage_type, key, location, numel)}. */
    private Object persistentId(Object obj) {
        if (!(obj instanceof Storage)) {
            return null;
        }
        Storage s = (Storage) obj;
        String key = keys.get(s);
        if (key == null) {
            key = Integer.toString(keys.size());
            keys.put(s, key);
            order.add(s);
        }
        return PyTuple.of("storage", new GlobalRef("torch", s.type().storageClass), key, s.device(), s.numel());
    }

    /**
     * {@code Tensor.__reduce_ex__}: {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)},
     * and for a parameter {@code _rebuild_parameter(that tensor without grad, requires_grad, hooks)}.
     */
    private static PyObject reduce(Tensor t) {
        Object hooks = t.backwardHooks() != null ? t.backwardHooks() : new PyOrderedDict();
        if (t.quantizer() != null) {
            return PyObject.reduce(TorchGlobals.REBUILD_QTENSOR, t.storageObject(), t.storageOffset(),
                    longs(t.shape()), longs(t.stride()), t.quantizer(), t.requiresGrad(), hooks);
        }
        PyObject tensor = PyObject.reduce(TorchGlobals.REBUILD_TENSOR_V2, t.storageObject(), t.storageOffset(),
                longs(t.shape()), longs(t.stride()), !t.isParameter() && t.requiresGrad(),
                t.isParameter() ? new PyOrderedDict() : hooks);
        if (!t.isParameter()) {
            return tensor;
        }
        return PyObject.reduce(TorchGlobals.REBUILD_PARAMETER, tensor, t.requiresGrad(), hooks);
    }

    private static PyTuple longs(long[] values) {
        Object[] boxed = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return PyTuple.of(boxed);
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The storage's bytes as torch writes them, little-endian, as its chunks (one buffer unless it is over 2 GiB):
     * swapped unit by unit, onto the heap, if it was read big-endian.
     */
    private static List<ByteBuffer> littleEndian(Storage s) {
        List<ByteBuffer> chunks = s.chunks();
        int unit = s.type().unitSize();
        if (s.order() == ByteOrder.LITTLE_ENDIAN || unit == 1) {
            return chunks;
        }
        List<ByteBuffer> out = new ArrayList<>(chunks.size());
        for (ByteBuffer bytes : chunks) {
            ByteBuffer swapped = ByteBuffer.allocate(bytes.remaining());
            byte[] item = new byte[unit];
            while (bytes.hasRemaining()) {
                bytes.get(item);
                for (int i = unit - 1; i >= 0; i--) {
                    swapped.put(item[i]);
                }
            }
            out.add(swapped.flip());
        }
        return out;
    }
}
