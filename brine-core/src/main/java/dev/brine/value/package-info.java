/**
 * Java types for Python values that have no natural Java equivalent: {@link dev.brine.value.PyTuple},
 * {@link dev.brine.value.PyBytes}, {@link dev.brine.value.PyFrozenSet}, {@link dev.brine.value.PyComplex}, and the
 * inert nodes {@link dev.brine.value.GlobalRef}, {@link dev.brine.value.PyObject} and
 * {@link dev.brine.value.PersistentRef} that stand for everything else without running any code.
 */
package dev.brine.value;
