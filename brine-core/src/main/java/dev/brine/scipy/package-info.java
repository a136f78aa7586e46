/**
 * scipy's sparse matrices: {@link dev.brine.scipy.SparseMatrix} reads the csr, csc, coo, bsr and dia matrices and
 * arrays that {@code pickle} and {@code joblib} write, without running anything, and builds matrices that scipy
 * loads.
 */
package dev.brine.scipy;
