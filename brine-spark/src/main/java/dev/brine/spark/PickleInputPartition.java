package dev.brine.spark;

import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One task's share of the input: a whole plain pickle file, or a byte range of a SequenceFile (records are read
 * from the first sync mark at or after {@code start} to the first after {@code start + length}, as Hadoop's
 * SequenceFile input format splits).
 */
record PickleInputPartition(String path, long start, long length, PickleOptions.Layout layout)
        implements InputPartition {
    private static final long serialVersionUID = 1L;
}
