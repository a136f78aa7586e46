package dev.brine.pandas;

import dev.brine.value.NDArray;
import dev.brine.value.PyObject;
import dev.brine.value.PySlice;
import dev.brine.value.PyTuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads a pickled BlockManager or SingleBlockManager into columns, checking that the blocks cover the axes
 * exactly. Two layouts are read:
 * <ul>
 *   <li>{@code BlockManager(blocks, axes)} / {@code SingleBlockManager(block, axis)}: the Cython
 *       {@code BaseBlockManager.__reduce__} of pandas 1.3 and later (pandas 1.5.3 writes it for DataFrames), each
 *       block {@code _unpickle_block(values, placement, ndim)};</li>
 *   <li>the state tuple {@code (axes, block_values, block_items, {"0.14.1": {"axes": ..., "blocks":
 *       [{"values": ..., "mgr_locs": ...}]}})} of {@code __getstate__}, which pandas 1.5.3 writes for Series and
 *       earlier versions for both.</li>
 * </ul>
 */
final class ManagerReader {
    /** One column: label, dtype, values, numpy array or null. */
    record Col(Object label, String dtype, List<Object> values, NDArray array) {
    }

    record Manager(List<IndexDecoder.IndexData> axes, List<Object> blockValues, List<int[]> placements) {
    }

    private ManagerReader() {
    }

    static Manager manager(Object mgr, String where) {
        if (!(mgr instanceof PyObject p) || Frames.madeName(p) == null) {
            throw Frames.bad(where, "expected a BlockManager, found " + Frames.describe(mgr));
        }
        String cls = Frames.madeName(p);
        if (!cls.equals("BlockManager") && !cls.equals("SingleBlockManager")) {
            throw Frames.bad(where, "unsupported manager " + Frames.made(p)
                    + (cls.contains("ArrayManager") ? " (pandas' experimental ArrayManager is not read)" : ""));
        }
        boolean single = cls.equals("SingleBlockManager");
        if (p.kind() == PyObject.Kind.REDUCE && p.args().size() == 2 && !p.hasState()) {
            List<Object> axesRaw = new ArrayList<>();
            List<Object> blocks = new ArrayList<>();
            if (single) {
                blocks.add(p.args().get(0));
                axesRaw.add(p.args().get(1));
            } else {
                blocks.addAll(Frames.list(p.args().get(0), where + " blocks"));
                axesRaw.addAll(Frames.list(p.args().get(1), where + " axes"));
            }
            List<IndexDecoder.IndexData> axes = axes(axesRaw, where);
            List<Object> values = new ArrayList<>();
            List<int[]> places = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) {
                String w = where + " block " + i;
                Object b = blocks.get(i);
                if (!(b instanceof PyObject bp) || !"_unpickle_block".equals(Frames.madeName(bp))
                        || bp.args().size() < 2) {
                    throw Frames.bad(w, "expected _unpickle_block(values, placement, ndim), found "
                            + Frames.describe(b));
                }
                values.add(bp.args().get(0));
                places.add(placement(bp.args().get(1), w));
            }
            return new Manager(axes, values, places);
        }
        Object s = p.state();
        if (s instanceof PyTuple t && t.size() >= 4 && t.get(3) instanceof Map<?, ?> extra
                && extra.get("0.14.1") instanceof Map<?, ?> st) {
            List<IndexDecoder.IndexData> axes = axes(new ArrayList<>(Frames.list(st.get("axes"), where + " axes")),
                    where);
            List<?> blocks = Frames.list(st.get("blocks"), where + " blocks");
            List<Object> values = new ArrayList<>();
            List<int[]> places = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) {
                String w = where + " block " + i;
                Map<Object, Object> b = Frames.dict(blocks.get(i), w);
                values.add(b.get("values"));
                places.add(placement(b.get("mgr_locs"), w));
            }
            return new Manager(axes, values, places);
        }
        throw Frames.bad(where, "a " + cls + " pickled in a layout Brine does not know (neither "
                + cls + "(blocks, axes) nor the \"0.14.1\" state of pandas 0.14 to 1.x)");
    }

    private static List<IndexDecoder.IndexData> axes(List<Object> raw, String where) {
        List<IndexDecoder.IndexData> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            out.add(IndexDecoder.decode(raw.get(i), where + " axis " + i));
        }
        return out;
    }

    /** A block's placement: a slice or an integer array of item positions (BlockPlacement.indexer). */
    private static int[] placement(Object o, String where) {
        if (o instanceof PySlice s) {
            long start = s.start() == null ? 0 : Frames.integer(s.start(), where + " placement");
            long step = s.step() == null ? 1 : Frames.integer(s.step(), where + " placement");
            if (s.stop() == null || step <= 0 || start < 0) {
                throw Frames.bad(where, "placement slice " + s + " is not a bounded forward slice");
            }
            long stop = Frames.integer(s.stop(), where + " placement");
            long n = stop > start ? (stop - start + step - 1) / step : 0;
            if (n > 1_000_000_000L) {
                throw Frames.bad(where, "placement slice " + s + " is too long");
            }
            int[] out = new int[(int) n];
            for (int i = 0; i < n; i++) {
                out[i] = Math.toIntExact(start + step * i);
            }
            return out;
        }
        if (o instanceof NDArray a && "iu".indexOf(a.dtype().kind()) >= 0 && a.ndim() == 1) {
            long[] v = a.toLongArray();
            int[] out = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0 || v[i] > Integer.MAX_VALUE) {
                    throw Frames.bad(where, "placement " + v[i] + " out of range");
                }
                out[i] = (int) v[i];
            }
            return out;
        }
        if (o instanceof Long l) {
            return new int[] {Math.toIntExact(l)};
        }
        throw Frames.bad(where, "expected a placement slice or integer array, found " + Frames.describe(o));
    }

    /**
     * The columns of a manager whose axes are {@code (items, index)} (DataFrame) or {@code (index)} (Series, whose
     * only column is labelled {@code seriesName}). Every item is covered by exactly one block column, and every
     * block has as many rows as the index.
     */
    static List<Col> columns(Manager m, boolean series, Object seriesName, String where) {
        int expectAxes = series ? 1 : 2;
        if (m.axes().size() != expectAxes) {
            throw Frames.bad(where, "manager has " + m.axes().size() + " axes, a " + (series ? "Series" : "DataFrame")
                    + " has " + expectAxes);
        }
        List<Object> labels = series ? java.util.Collections.singletonList(seriesName) : m.axes().get(0).values();
        int rows = m.axes().get(series ? 0 : 1).size();
        if (series && m.blockValues().size() != 1) {
            throw Frames.bad(where, "a Series manager with " + m.blockValues().size() + " blocks, expected one");
        }
        Col[] cols = new Col[labels.size()];
        for (int b = 0; b < m.blockValues().size(); b++) {
            String w = where + " block " + b;
            // A SingleBlockManager's block is placed over the rows (slice(0, n)); its one column is the Series.
            int[] place = series ? new int[] {0} : m.placements().get(b);
            Decoded d = ArrayDecoder.decode(m.blockValues().get(b), w);
            if (d.width() != place.length) {
                throw Frames.bad(w, "holds " + d.width() + " columns but is placed at " + place.length
                        + " positions " + Arrays.toString(place.length > 10 ? Arrays.copyOf(place, 10) : place));
            }
            if (d.rows() != rows) {
                throw Frames.bad(w, "holds " + d.rows() + " rows but the index has " + rows);
            }
            for (int c = 0; c < place.length; c++) {
                int at = place[c];
                if (at >= cols.length) {
                    throw Frames.bad(w, "placed at column " + at + " but there are " + cols.length + " columns");
                }
                if (cols[at] != null) {
                    throw Frames.bad(w, "column " + at + " is placed by two blocks");
                }
                cols[at] = new Col(labels.get(at), d.dtype(), d.columns().get(c), d.arrays().get(c));
            }
        }
        for (int i = 0; i < cols.length; i++) {
            if (cols[i] == null) {
                throw Frames.bad(where, "column " + i + " (" + labels.get(i) + ") is in no block");
            }
        }
        return List.of(cols);
    }
}
