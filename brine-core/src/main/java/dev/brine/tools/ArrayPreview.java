package dev.brine.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The items of an n-dimensional array as nested lists, summarized as numpy prints a large array: when it has more
 * than {@code maxItems} items, each dimension longer than six keeps its first and last three entries around a
 * {@code "..."} (numpy's {@code threshold} and {@code edgeitems}).
 */
final class ArrayPreview {
    /** numpy's {@code edgeitems}. */
    private static final int EDGE = 3;

    private ArrayPreview() {
    }

    /**
     * The preview of an array of {@code shape} whose item at C-order index {@code i} is {@code item.apply(i)}: nested
     * lists for one or more dimensions, the item itself for none.
     */
    static Object of(long[] shape, LongFunction<Object> item, int maxItems) {
        long size = 1;
        for (long d : shape) {
            size = d == 0 || size > Long.MAX_VALUE / Math.max(1, d) ? (d == 0 ? 0 : Long.MAX_VALUE) : size * d;
        }
        long[] strides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(1, shape[d]);
        }
        return build(shape, strides, 0, 0, item, size > maxItems);
    }

    private static Object build(long[] shape, long[] strides, int dim, long base, LongFunction<Object> item,
                                boolean summarize) {
        if (dim == shape.length) {
            return item.apply(base);
        }
        long n = shape[dim];
        List<Object> out = new ArrayList<>();
        if (summarize && n > 2 * EDGE) {
            for (long i = 0; i < EDGE; i++) {
                out.add(build(shape, strides, dim + 1, base + i * strides[dim], item, true));
            }
            out.add("...");
            for (long i = n - EDGE; i < n; i++) {
                out.add(build(shape, strides, dim + 1, base + i * strides[dim], item, true));
            }
        } else {
            for (long i = 0; i < n; i++) {
                out.add(build(shape, strides, dim + 1, base + i * strides[dim], item, summarize));
            }
        }
        return out;
    }
}
