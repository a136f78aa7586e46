package dev.brine.value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Objects;

/**
 * A Python {@code fractions.Fraction}: an exact rational number in lowest terms, with a positive denominator.
 *
 * <p>Python has pickled fractions in two forms: up to 3.10 {@code Fraction.__reduce__} gives
 * {@code (Fraction, ('1/3',))}, the {@code str} of the fraction; from 3.11 it gives {@code (Fraction, (1, 3))}.
 * A fraction read from a pickle remembers its {@link #form()}, so that writing it back gives the same bytes; one
 * made in Java uses {@link Form#INTEGERS}, which every Python 3 loads.
 *
 * <pre>{@code
 * PyFraction third = PyFraction.of(1, 3);
 * third.doubleValue();   // 0.3333333333333333
 * third.toString();      // "1/3", as Python's str()
 * }</pre>
 *
 * Equality is by value (numerator and denominator), whatever the form.
 */
public final class PyFraction extends Number implements Comparable<PyFraction> {
    private static final long serialVersionUID = 1L;

    /** The Python class. */
    public static final GlobalRef CLASS = new GlobalRef("fractions", "Fraction");

    /** How {@code Fraction.__reduce__} gave the arguments. */
    public enum Form {
        /** {@code (numerator, denominator)}, as Python 3.11 and up pickle a fraction. */
        INTEGERS,
        /** {@code (str(fraction),)}, as Python 2.7 and 3.0 to 3.10 pickle a fraction. */
        TEXT
    }

    private final BigInteger numerator;
    private final BigInteger denominator;
    private final Form form;
    private final GlobalRef pythonClass;

    private PyFraction(BigInteger numerator, BigInteger denominator, Form form, GlobalRef pythonClass) {
        this.numerator = numerator;
        this.denominator = denominator;
        this.form = form;
        this.pythonClass = pythonClass;
    }

    /** {@code Fraction(numerator, denominator)}, reduced to lowest terms; throws if the denominator is zero. */
    public static PyFraction of(BigInteger numerator, BigInteger denominator) {
        Objects.requireNonNull(numerator, "numerator");
        if (denominator.signum() == 0) {
            throw new ArithmeticException("Fraction(" + numerator + ", 0)");
        }
        BigInteger g = numerator.gcd(denominator);
        if (denominator.signum() < 0) {
            g = g.negate();
        }
        return new PyFraction(numerator.divide(g), denominator.divide(g), Form.INTEGERS, CLASS);
    }

    /** {@code Fraction(numerator, denominator)}, reduced to lowest terms; throws if the denominator is zero. */
    public static PyFraction of(long numerator, long denominator) {
        return of(BigInteger.valueOf(numerator), BigInteger.valueOf(denominator));
    }

    /**
     * This fraction pickled in {@code form} under the class reference {@code pythonClass} (which must equal
     * {@link #CLASS}); the reader keeps what it read, so writing the value back gives the same bytes.
     */
    public PyFraction withForm(Form form, GlobalRef pythonClass) {
        if (!CLASS.equals(pythonClass)) {
            throw new IllegalArgumentException("not " + CLASS + ": " + pythonClass);
        }
        return new PyFraction(numerator, denominator, Objects.requireNonNull(form, "form"), pythonClass);
    }

    /** The numerator, negative for a negative fraction. */
    public BigInteger numerator() {
        return numerator;
    }

    /** The denominator, always positive. */
    public BigInteger denominator() {
        return denominator;
    }

    /** The form this fraction is pickled in. */
    public Form form() {
        return form;
    }

    /** The class as the pickle named it, equal to {@link #CLASS}. */
    public GlobalRef pythonClass() {
        return pythonClass;
    }

    /** The value rounded to {@code context}. */
    public BigDecimal toBigDecimal(MathContext context) {
        return new BigDecimal(numerator).divide(new BigDecimal(denominator), context);
    }

    @Override
    public double doubleValue() {
        // 40 significant digits before the final rounding to a double: a double rounding only where the quotient
        // lies within 1e-40 (relative) of a halfway point between two doubles.
        return toBigDecimal(new MathContext(40)).doubleValue();
    }

    @Override
    public float floatValue() {
        return (float) doubleValue();
    }

    /** The value truncated toward zero, as Python's {@code int(fraction)}, then to a long as by a narrowing cast. */
    @Override
    public long longValue() {
        return numerator.divide(denominator).longValue();
    }

    @Override
    public int intValue() {
        return (int) longValue();
    }

    @Override
    public int compareTo(PyFraction o) {
        return numerator.multiply(o.denominator).compareTo(o.numerator.multiply(denominator));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyFraction && numerator.equals(((PyFraction) o).numerator)
                && denominator.equals(((PyFraction) o).denominator);
    }

    @Override
    public int hashCode() {
        return numerator.hashCode() * 31 + denominator.hashCode();
    }

    /** As Python's {@code str(fraction)}: {@code 1/3}, or just the numerator when the denominator is 1. */
    @Override
    public String toString() {
        return denominator.equals(BigInteger.ONE) ? numerator.toString() : numerator + "/" + denominator;
    }
}
