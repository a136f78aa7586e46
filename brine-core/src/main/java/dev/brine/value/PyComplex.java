package dev.brine.value;

/**
 * A Python {@code complex}.
 *
 * @param real the real part
 * @param imag the imaginary part
 */
public record PyComplex(double real, double imag) implements java.io.Serializable {
    /** As Python's {@code repr}, roughly: {@code (1.0+2.0j)}. */
    @Override
    public String toString() {
        return "(" + real + (imag < 0 || (imag == 0 && 1 / imag < 0) ? "" : "+") + imag + "j)";
    }
}
