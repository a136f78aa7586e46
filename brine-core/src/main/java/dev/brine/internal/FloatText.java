package dev.brine.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A double as Python's {@code repr} writes it, for the protocol 0 FLOAT opcode: the shortest decimal string that
 * reads back to the same double ({@code PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0)}), in positional
 * form when the decimal exponent lies in (-4, 16] and in exponent form otherwise.
 *
 * <p>Java 17's {@link Double#toString(double)} is not always shortest (JDK-4511638) and formats differently, so
 * this finds the digits itself: for each precision from 1 to 17 it tries the two decimals of that precision
 * that bracket the exact value and keeps the closer one that reads back, as David Gay's shortest mode does.
 *
 * <p>Temporary home: once {@code PyRepr.floatRepr} lands on main, the writer should use that one table of
 * Python float formatting instead.
 */
final class FloatText {
    private FloatText() {
    }

    static String repr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        boolean negative = (Double.doubleToRawLongBits(d) & Long.MIN_VALUE) != 0;
        if (d == 0) {
            return negative ? "-0.0" : "0.0";
        }
        double abs = Math.abs(d);
        BigDecimal exact = new BigDecimal(abs);
        BigDecimal best = null;
        for (int p = 1; p <= 17 && best == null; p++) {
            BigDecimal down = exact.round(new MathContext(p, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(p, RoundingMode.UP));
            boolean downOk = Double.parseDouble(down.toString()) == abs;
            boolean upOk = Double.parseDouble(up.toString()) == abs;
            if (downOk && upOk) {
                int cmp = exact.subtract(down).compareTo(up.subtract(exact));
                best = cmp < 0 ? down : cmp > 0 ? up : exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            } else if (downOk) {
                best = down;
            } else if (upOk) {
                best = up;
            }
        }
        if (best == null) {
            best = exact.round(MathContext.DECIMAL64);
        }
        best = best.stripTrailingZeros();
        String digits = best.unscaledValue().toString();
        int n = digits.length();
        // value = 0.d1d2...dn * 10^decpt
        int decpt = n - best.scale();
        StringBuilder sb = new StringBuilder(n + 8);
        if (negative) {
            sb.append('-');
        }
        if (decpt <= -4 || decpt > 16) {
            sb.append(digits.charAt(0));
            if (n > 1) {
                sb.append('.').append(digits, 1, n);
            }
            int exp = decpt - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) {
                sb.append('0');
            }
            sb.append(a);
        } else if (decpt <= 0) {
            sb.append("0.");
            for (int i = decpt; i < 0; i++) {
                sb.append('0');
            }
            sb.append(digits);
        } else if (decpt < n) {
            sb.append(digits, 0, decpt).append('.').append(digits, decpt, n);
        } else {
            sb.append(digits);
            for (int i = n; i < decpt; i++) {
                sb.append('0');
            }
            sb.append(".0");
        }
        return sb.toString();
    }
}
