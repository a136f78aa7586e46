package dev.brine.torch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes tensors in Hugging Face's safetensors format: an 8-byte little-endian header size {@code N}, {@code N}
 * bytes of UTF-8 JSON, then the tensors' bytes.
 *
 * <p>The header maps each name to {@code {"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]}}, offsets
 * counted from the first byte after the header, and may hold {@code "__metadata__"}, a map of strings. The data
 * is each tensor's elements, little-endian and row-major, back to back with no holes and no overlap, as the
 * reference reader requires: two tensors that share a storage each get a copy of their own.
 *
 * <p>The layout mirrors the reference writer ({@code safetensors::tensor::prepare} in huggingface/safetensors,
 * which {@code safetensors.torch.save_file} calls): the data is sorted by descending dtype alignment, which is
 * the reverse of the reference's {@code Dtype} enum (I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL), then by
 * name as UTF-8 bytes. With the header padded by spaces to a multiple of 8 bytes, that puts every tensor at an
 * offset that is a multiple of its item size. The header lists the tensors in that order, in compact JSON. The metadata keys, which the reference keeps in a hash map,
 * are written sorted; {@code "__metadata__"} is left out when the metadata map is null.
 */
final class Safetensors {
    /** The reference reader refuses larger headers ({@code MAX_HEADER_SIZE}), so the writer does too. */
    static final int MAX_HEADER_SIZE = 100_000_000;
    /** The reference's dtypes in increasing alignment order (its {@code Dtype} enum order). */
    private static final List<String> ALIGNMENT_ORDER =
            List.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32",
                    "F64", "I64", "U64");
    private static final Comparator<String> CODE_POINT_ORDER = Safetensors::compareCodePoints;

    private Safetensors() {
    }

    /**
     * Writes {@code tensors} with {@code metadata} (may be null) to {@code out}, which is neither buffered nor
     * closed here. Holds at most one chunk of one tensor's elements in memory besides the header.
     *
     * @throws IllegalArgumentException if a tensor's dtype has no safetensors code (complex and quantized), a name
     *                                  is {@code __metadata__}, or a string is not valid UTF-16 (a lone
     *                                  surrogate)
     */
    static void write(Map<String, Tensor> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        List<Map.Entry<String, Tensor>> entries = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "tensor name");
            Tensor t = Objects.requireNonNull(e.getValue(), () -> "tensor " + name);
            if (name.equals("__metadata__")) {
                throw new IllegalArgumentException("a tensor may not be named __metadata__: safetensors keeps that"
                        + " key for the metadata");
            }
            if (code(t) == null) {
                throw new IllegalArgumentException("tensor " + name + " has dtype " + t.dtype()
                        + ", which safetensors cannot hold (it has no complex or quantized dtypes)");
            }
            entries.add(Map.entry(name, t));
        }
        entries.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -ALIGNMENT_ORDER.indexOf(code(e.getValue())))
                .thenComparing(Map.Entry::getKey, CODE_POINT_ORDER));

        StringBuilder json = new StringBuilder("{");
        if (metadata != null) {
            List<Map.Entry<String, String>> meta = new ArrayList<>(metadata.entrySet());
            meta.sort(Map.Entry.comparingByKey(CODE_POINT_ORDER));
            json.append("\"__metadata__\":{");
            for (int i = 0; i < meta.size(); i++) {
                if (i > 0) {
                    json.append(',');
                }
                string(json, Objects.requireNonNull(meta.get(i).getKey(), "metadata key"));
                json.append(':');
                string(json, Objects.requireNonNull(meta.get(i).getValue(),
                        "metadata value of " + meta.get(i).getKey()));
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : entries) {
            Tensor t = e.getValue();
            long end = Math.addExact(offset, t.byteLength());
            if (json.length() > 1) {
                json.append(',');
            }
            string(json, e.getKey());
            json.append(":{\"dtype\":\"").append(code(t)).append("\",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i > 0 ? "," : "").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');

        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padding = (8 - header.length % 8) % 8;
        long n = (long) header.length + padding;
        if (n > MAX_HEADER_SIZE) {
            throw new IllegalArgumentException("the safetensors header would be " + n + " bytes; readers refuse"
                    + " headers over " + MAX_HEADER_SIZE);
        }
        byte[] prefix = new byte[8];
        for (int i = 0; i < 8; i++) {
            prefix[i] = (byte) (n >>> (8 * i));
        }
        out.write(prefix);
        out.write(header);
        out.write("        ".getBytes(StandardCharsets.US_ASCII), 0, padding);
        for (Map.Entry<String, Tensor> e : entries) {
            e.getValue().writeContiguousTo(out);
        }
    }

    private static String code(Tensor t) {
        return t.storageObject().type().safetensors;
    }

    /** Appends {@code s} as a JSON string (RFC 8259 section 7): quote, backslash and controls escaped. */
    static void string(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        json.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        // UTF-8 cannot encode it, and the reference reader refuses an escaped one.
                        throw new IllegalArgumentException("string " + s.replace(c, '?') + " has a lone surrogate at"
                                + " index " + i + "; a safetensors header is UTF-8");
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** Orders strings as their UTF-8 bytes compare, as Rust's {@code str} ordering the reference sorts with. */
    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
