/**
 * Python pickles in Spark SQL: the data source {@code pickle} ({@link dev.brine.spark.PickleDataSource}), which
 * reads PySpark's {@code saveAsPickleFile} directories and plain pickle files into DataFrames and writes
 * DataFrames back in either layout, and the SQL functions of {@link dev.brine.spark.BrineFunctions}
 * ({@code from_pickle}, {@code to_pickle}, {@code pickle_json}). Spark itself is a {@code provided} dependency.
 * See docs/SPARK.md.
 */
package dev.brine.spark;
