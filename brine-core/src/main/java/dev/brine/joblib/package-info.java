/**
 * joblib files, how scikit-learn models are usually saved: {@link dev.brine.joblib.JoblibFile} reads the pickle
 * with the raw array data joblib interleaves with it, and writes files {@code joblib.load} reads.
 */
package dev.brine.joblib;
