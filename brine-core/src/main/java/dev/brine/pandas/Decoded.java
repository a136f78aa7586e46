package dev.brine.pandas;

import dev.brine.value.NDArray;

import java.util.List;

/**
 * What one pandas array (a block's values, an index's data) holds, read without running anything: pandas' printed
 * dtype name, {@code width} columns of {@code rows} values each, and per column the numpy array behind it where
 * there is one (null otherwise).
 */
record Decoded(String dtype, int rows, List<List<Object>> columns, List<NDArray> arrays) {
    int width() {
        return columns.size();
    }

    /** The only column of a one-dimensional array; a two-dimensional one is refused. */
    List<Object> single(String where) {
        if (columns.size() != 1) {
            throw Frames.bad(where, "expected one-dimensional values, found " + columns.size() + " columns");
        }
        return columns.get(0);
    }
}
