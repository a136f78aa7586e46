package dev.brine.internal.format;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PyText#decimalLiteral}'s hand-written check against the regular expression it replaced, on every string
 * of up to six characters over an alphabet of signs, digits, underscores and a letter.
 */
class PyTextDecimalTest {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]+(_[0-9]+)*");
    private static final char[] ALPHABET = {'+', '-', '0', '7', '_', 'x'};

    @Test
    void acceptsExactlyWhatTheRegexAccepts() {
        int checked = 0;
        int accepted = 0;
        for (int len = 0; len <= 6; len++) {
            int total = (int) Math.pow(ALPHABET.length, len);
            for (int k = 0; k < total; k++) {
                StringBuilder b = new StringBuilder(len);
                for (int i = 0, v = k; i < len; i++, v /= ALPHABET.length) {
                    b.append(ALPHABET[v % ALPHABET.length]);
                }
                String s = b.toString();
                boolean want = DECIMAL.matcher(s).matches();
                String got = PyText.decimalLiteral(" " + s + "\t");
                assertThat(got != null).as("'%s'", s).isEqualTo(want);
                if (want) {
                    String digitsOnly = s.replace("_", "");
                    assertThat(got).isEqualTo(digitsOnly.startsWith("+") ? digitsOnly.substring(1) : digitsOnly);
                    accepted++;
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(55_987);
        assertThat(accepted).isGreaterThan(500);
    }
}
