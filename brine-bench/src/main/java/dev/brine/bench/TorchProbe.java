package dev.brine.bench;

import dev.brine.torch.Tensor;
import dev.brine.torch.TorchFile;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Brine's side of {@code bench/torch_compare}, in its own JVM: loads a torch checkpoint several times with
 * {@link TorchFile#read(Path)} and reads every tensor's values once after each load, as {@code bench/torch_probe.py}
 * does with {@code torch.load}.
 *
 * <pre>java [-Xmx48m] -cp benchmarks.jar dev.brine.bench.TorchProbe FILE [LOADS] [buffer|arrays]</pre>
 *
 * <p>The read pass sums each tensor's values in float64, one of two ways:
 * <ul>
 *   <li>{@code buffer}: through typed views ({@code asFloatBuffer()} and its siblings) of {@link Tensor#storage()},
 *       the mapped file itself, without copying (a non-contiguous tensor, which a state dict does not hold, falls
 *       back to {@code toDoubleArray()}); torch's counterpart is {@code t.sum(dtype=torch.float64)};</li>
 *   <li>{@code arrays}: {@link Tensor#toDoubleArray()}, then a loop over the copy; torch's counterpart is
 *       {@code t.double().sum()}.</li>
 * </ul>
 * An untimed pass then sums each tensor's raw bits as integers (modulo 2^64), the exact check the Python probe
 * makes too. Between loads the previous result is dropped and the heap collected, outside the timed parts (the
 * Python probe frees its result there as well).
 *
 * <p>Prints one JSON object: each load's seconds, the sums, the resident memory (VmHWM, and the largest RssAnon and
 * RssFile right after a load and its read), and the heap: the bytes this thread allocated during the last load and
 * during its read (a bound on what each adds to the heap at its peak), what the loaded checkpoint holds after a
 * full collection, and the sum of the heap pools' peak use over the whole run (garbage included).
 */
public final class TorchProbe {
    private TorchProbe() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        int loads = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String mode = args.length > 2 ? args[2] : "buffer";
        if (!mode.equals("buffer") && !mode.equals("arrays")) {
            throw new IllegalArgumentException("read mode is buffer or arrays, not " + mode);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Map<String, Long> baseline = ProcStatus.read();
        long heapBefore = usedAfterGc();
        StringBuilder times = new StringBuilder();
        Map<String, Double> sums = null;
        Object checkpoint = null;
        long allocLoad = 0;
        long allocRead = 0;
        long anon = 0;
        long fileRss = 0;
        for (int i = 0; i < loads; i++) {
            checkpoint = null;
            usedAfterGc();
            long a0 = threads.getThreadAllocatedBytes(thread);
            long t0 = System.nanoTime();
            checkpoint = TorchFile.read(file);
            long t1 = System.nanoTime();
            long a1 = threads.getThreadAllocatedBytes(thread);
            sums = read(TorchFile.tensors(checkpoint), mode);
            long t2 = System.nanoTime();
            allocLoad = a1 - a0;
            allocRead = threads.getThreadAllocatedBytes(thread) - a1;
            Map<String, Long> s = ProcStatus.read();
            anon = Math.max(anon, s.getOrDefault("RssAnon", 0L));
            fileRss = Math.max(fileRss, s.getOrDefault("RssFile", 0L));
            times.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "{\"load_s\": %.6f, \"read_s\": %.6f}",
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9));
        }
        long retained = usedAfterGc() - heapBefore;
        Map<String, Tensor> tensors = TorchFile.tensors(checkpoint);
        long elements = tensors.values().stream().mapToLong(Tensor::numel).sum();
        long peakPools = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakPools += pool.getPeakUsage().getUsed();
            }
        }
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"side\": \"brine\", \"read\": \"%s\", \"file\": \"%s\", "
                + "\"loads\": [%s], \"tensors\": %d, \"elements\": %d, ", mode, file, times, tensors.size(), elements));
        json.append("\"sums\": {");
        appendMap(json, sums);
        json.append("}, \"bits\": {");
        appendMap(json, bitSums(tensors));
        json.append(String.format(Locale.ROOT, "}, \"rss_baseline\": %d, \"vmhwm\": %d, \"rss_anon_max\": %d, "
                + "\"rss_file_max\": %d, \"heap_alloc_load\": %d, \"heap_alloc_read\": %d, \"heap_retained\": %d, "
                + "\"heap_pools_peak\": %d, \"heap_max\": %d, \"file_bytes\": %d, \"java\": \"%s\", \"gc\": \"%s\", "
                + "\"jvm_args\": \"%s\"}",
                baseline.getOrDefault("VmRSS", 0L), ProcStatus.read().getOrDefault("VmHWM", 0L), anon, fileRss,
                allocLoad, allocRead, retained, peakPools, Runtime.getRuntime().maxMemory(), Files.size(file),
                System.getProperty("java.vm.version"), collectors(),
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()).replace("\"", "'")));
        System.out.println(json);
        // Keeps the checkpoint reachable until after the retained heap was measured.
        if (checkpoint == null) {
            throw new AssertionError();
        }
    }

    private static void appendMap(StringBuilder json, Map<String, ?> map) {
        boolean first = true;
        for (Map.Entry<String, ?> e : map.entrySet()) {
            json.append(first ? "" : ", ").append('"').append(e.getKey().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\": ");
            Object v = e.getValue();
            // Python reads the shortest repr back to the same double; Long stays an exact integer.
            json.append(v instanceof Double d ? (d.isNaN() || d.isInfinite() ? "null" : Double.toString(d))
                    : Long.toUnsignedString((Long) v));
            first = false;
        }
    }

    /** Each tensor's values summed in float64, in its element order, by {@code mode}. */
    static Map<String, Double> read(Map<String, Tensor> tensors, String mode) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            out.put(e.getKey(), mode.equals("buffer") && t.isContiguous() ? sumBuffer(t) : sumArray(t));
        }
        return out;
    }

    private static double sumArray(Tensor t) {
        double s = 0;
        for (double v : t.toDoubleArray()) {
            s += v;
        }
        return s;
    }

    /** The bytes of a contiguous tensor's elements: a view of its storage, in the storage's byte order. */
    private static ByteBuffer elements(Tensor t) {
        ByteBuffer storage = t.storage();
        int from = Math.toIntExact(t.storageOffset() * t.itemSize());
        int length = Math.toIntExact(t.numel() * t.itemSize());
        return storage.slice(from, length).order(storage.order());
    }

    private static double sumBuffer(Tensor t) {
        if (t.numel() == 0) {
            return 0;
        }
        ByteBuffer b = elements(t);
        double s = 0;
        switch (t.dtype()) {
            case "float32" -> {
                FloatBuffer f = b.asFloatBuffer();
                for (int i = 0, n = f.limit(); i < n; i++) {
                    s += f.get(i);
                }
            }
            case "float64" -> {
                DoubleBuffer d = b.asDoubleBuffer();
                for (int i = 0, n = d.limit(); i < n; i++) {
                    s += d.get(i);
                }
            }
            case "float16" -> {
                ShortBuffer h = b.asShortBuffer();
                for (int i = 0, n = h.limit(); i < n; i++) {
                    s += halfToFloat(h.get(i));
                }
            }
            case "bfloat16" -> {
                ShortBuffer h = b.asShortBuffer();
                for (int i = 0, n = h.limit(); i < n; i++) {
                    s += Float.intBitsToFloat(h.get(i) << 16);
                }
            }
            case "bool" -> {
                for (int i = 0, n = b.limit(); i < n; i++) {
                    s += b.get(i) != 0 ? 1 : 0;
                }
            }
            default -> s = sumArray(t);
        }
        return s;
    }

    /** IEEE binary16 bits to float, exactly (subnormals, infinities and NaN included). */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            // Subnormal or zero: mant * 2^-24, exact in float.
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Each tensor's raw elements summed as signed integers of the element's width (unsigned for one byte), modulo
     * 2^64: the exact check of bench/torch_probe.py.
     */
    static Map<String, Long> bitSums(Map<String, Tensor> tensors) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            ByteBuffer b = t.numel() == 0 ? ByteBuffer.allocate(0) : t.isContiguous() ? elements(t)
                    : t.contiguousBytes();
            long s = 0;
            switch (t.itemSize()) {
                case 1 -> {
                    for (int i = 0, n = b.limit(); i < n; i++) {
                        s += b.get(i) & 0xFF;
                    }
                }
                case 2 -> {
                    ShortBuffer v = b.asShortBuffer();
                    for (int i = 0, n = v.limit(); i < n; i++) {
                        s += v.get(i);
                    }
                }
                case 4 -> {
                    IntBuffer v = b.asIntBuffer();
                    for (int i = 0, n = v.limit(); i < n; i++) {
                        s += v.get(i);
                    }
                }
                default -> {
                    LongBuffer v = b.asLongBuffer();
                    for (int i = 0, n = v.limit(); i < n; i++) {
                        s += v.get(i);
                    }
                }
            }
            out.put(e.getKey(), s);
        }
        return out;
    }

    private static String collectors() {
        List<String> names = ManagementFactory.getGarbageCollectorMXBeans().stream().map(g -> g.getName()).toList();
        return String.join(", ", names);
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Fields of /proc/self/status in bytes (Linux); empty elsewhere. */
    static final class ProcStatus {
        private ProcStatus() {
        }

        static Map<String, Long> read() {
            Map<String, Long> out = new LinkedHashMap<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    int colon = line.indexOf(':');
                    String key = colon < 0 ? "" : line.substring(0, colon);
                    if (key.startsWith("Vm") || key.startsWith("Rss")) {
                        String[] parts = line.substring(colon + 1).trim().split("\\s+");
                        out.put(key, Long.parseLong(parts[0]) * 1024);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Not Linux: no resident-memory figures.
            }
            return out;
        }
    }
}
