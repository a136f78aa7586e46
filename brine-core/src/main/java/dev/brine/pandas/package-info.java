/**
 * pandas DataFrames and Series in pickles, read and built without running pandas.
 *
 * <p>{@link dev.brine.pandas.PandasFrame#from} and {@link dev.brine.pandas.PandasSeries#from} interpret the inert
 * tree {@link dev.brine.Pickle#loads} returns for {@code pickle.dumps(df)} or {@code df.to_pickle(path)}: column
 * labels, pandas' dtype names, values as Java objects, numpy arrays, the index. The pickle layouts read are those
 * of pandas 1.x (tested against pandas 1.5.3) and the forms pandas 2.x keeps (see {@code docs/PANDAS.md}).
 * {@link dev.brine.pandas.PandasFrame#builder()} and {@link dev.brine.pandas.PandasSeries#builder()} go the other
 * way: they build calls of pandas' public constructors, which {@link dev.brine.Pickle#dumps} writes and pandas
 * loads.
 */
package dev.brine.pandas;
