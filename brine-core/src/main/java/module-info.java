/**
 * Brine: Python's pickle format for the JVM.
 *
 * <p>{@code dev.brine} holds the entry points ({@link dev.brine.Pickle}, {@link dev.brine.Unpickler},
 * {@link dev.brine.Pickler}); {@code dev.brine.value} the Java types for Python values; {@code dev.brine.tools} the
 * disassembler, the JSON view and other tools; {@code dev.brine.scan} the scanner; {@code dev.brine.torch} PyTorch
 * checkpoints ({@link dev.brine.torch.TorchFile}, {@link dev.brine.torch.Tensor}); {@code dev.brine.joblib} joblib
 * files ({@link dev.brine.joblib.JoblibFile}); {@code dev.brine.pandas} pickled DataFrames and Series
 * ({@link dev.brine.pandas.PandasFrame}, {@link dev.brine.pandas.PandasSeries}); {@code dev.brine.scipy} scipy's
 * sparse matrices ({@link dev.brine.scipy.SparseMatrix}). {@code dev.brine.internal} and its subpackages are not
 * exported.
 */
module dev.brine {
    exports dev.brine;
    exports dev.brine.value;
    exports dev.brine.tools;
    exports dev.brine.scan;
    exports dev.brine.torch;
    exports dev.brine.joblib;
    exports dev.brine.scipy;
    exports dev.brine.pandas;
}
