package dev.brine.scan;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the Python literals {@code ast.literal_eval} accepts in an {@code .npy} header, so that the scanner
 * reads the header as numpy does rather than with a pattern: a dict whose repeated key keeps its last value, strings
 * with every escape ({@code '|\x4f'} is {@code '|O'}), either quote, implicit concatenation, tuples, lists, ints,
 * {@code True}/{@code False}/{@code None}. Values: {@code Map}, {@code List}, {@link Tuple}, {@code String},
 * {@code byte[]}, {@code Long} or {@code BigInteger}, {@code Boolean}, {@code null}.
 */
final class PyLiteral {
    /** A tuple, kept apart from a list because numpy reads a tuple in a descr as (dtype, shape). */
    record Tuple(List<Object> items) {
    }

    /** A header numpy could not read either. */
    static final class SyntaxError extends Exception {
        SyntaxError(String message) {
            super(message);
        }
    }

    private static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;

    private PyLiteral(String text) {
        this.text = text;
    }

    static Object parse(String text) throws SyntaxError {
        PyLiteral p = new PyLiteral(text);
        p.space();
        Object v = p.value(0);
        p.space();
        if (p.pos != text.length()) {
            throw p.error("text after the literal");
        }
        return v;
    }

    private Object value(int depth) throws SyntaxError {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " deep");
        }
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return dict(depth);
            case '[':
                return new ArrayList<>(sequence(']', depth));
            case '(': {
                pos++;
                space();
                List<Object> items = new ArrayList<>();
                boolean comma = false;
                while (peek() != ')') {
                    items.add(value(depth + 1));
                    space();
                    comma = false;
                    if (peek() == ',') {
                        pos++;
                        space();
                        comma = true;
                    } else if (peek() != ')') {
                        throw error("expected , or )");
                    }
                }
                pos++;
                // (x) is x, (x,) a tuple of one, () the empty tuple.
                return items.size() == 1 && !comma ? items.get(0) : new Tuple(items);
            }
            case '\'': case '"':
                return strings();
            default:
                break;
        }
        if (c == 'b' || c == 'B' || c == 'r' || c == 'R' || c == 'u' || c == 'U') {
            int q = pos + 1;
            if (q < text.length() && (text.charAt(q) == 'b' || text.charAt(q) == 'B' || text.charAt(q) == 'r'
                    || text.charAt(q) == 'R')) {
                q++;
            }
            if (q < text.length() && (text.charAt(q) == '\'' || text.charAt(q) == '"')) {
                return strings();
            }
        }
        if (c == '-' || c == '+' || Character.isDigit(c)) {
            return number();
        }
        if (text.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        if (text.startsWith("None", pos)) {
            pos += 4;
            return null;
        }
        throw error("not a literal");
    }

    private Map<Object, Object> dict(int depth) throws SyntaxError {
        pos++;
        space();
        Map<Object, Object> m = new LinkedHashMap<>();
        while (peek() != '}') {
            Object key = value(depth + 1);
            space();
            if (peek() != ':') {
                throw error("expected :");
            }
            pos++;
            space();
            Object v = value(depth + 1);
            if (key instanceof List<?> || key instanceof Map<?, ?>) {
                throw error("a list or dict is not a dict key");
            }
            m.put(key, v);          // a repeated key keeps its last value, as in Python
            space();
            if (peek() == ',') {
                pos++;
                space();
            } else if (peek() != '}') {
                throw error("expected , or }");
            }
        }
        pos++;
        return m;
    }

    private List<Object> sequence(char close, int depth) throws SyntaxError {
        pos++;
        space();
        List<Object> items = new ArrayList<>();
        while (peek() != close) {
            items.add(value(depth + 1));
            space();
            if (peek() == ',') {
                pos++;
                space();
            } else if (peek() != close) {
                throw error("expected , or " + close);
            }
        }
        pos++;
        return items;
    }

    /** One string literal or several adjacent ones, concatenated as Python does; str and bytes do not mix. */
    private Object strings() throws SyntaxError {
        StringBuilder sb = new StringBuilder();
        Boolean bytes = null;
        while (pos < text.length()) {
            int start = pos;
            boolean raw = false;
            boolean isBytes = false;
            while (pos < text.length() && "bBrRuU".indexOf(text.charAt(pos)) >= 0) {
                char p = Character.toLowerCase(text.charAt(pos));
                raw |= p == 'r';
                isBytes |= p == 'b';
                pos++;
            }
            if (pos >= text.length() || (text.charAt(pos) != '\'' && text.charAt(pos) != '"')) {
                pos = start;
                break;
            }
            if (bytes != null && bytes != isBytes) {
                throw error("cannot mix bytes and str literals");
            }
            bytes = isBytes;
            one(sb, raw, isBytes);
            space();
        }
        if (bytes == null) {
            throw error("expected a string");
        }
        if (bytes) {
            byte[] b = new byte[sb.length()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) sb.charAt(i);
            }
            return b;
        }
        return sb.toString();
    }

    private void one(StringBuilder sb, boolean raw, boolean bytes) throws SyntaxError {
        char quote = text.charAt(pos);
        boolean triple = text.startsWith(String.valueOf(quote).repeat(3), pos);
        pos += triple ? 3 : 1;
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == quote && (!triple || text.startsWith(String.valueOf(quote).repeat(3), pos))) {
                pos += triple ? 3 : 1;
                return;
            }
            if (c == '\n' && !triple) {
                throw error("newline in a string");
            }
            if (c == '\\' && pos + 1 < text.length()) {
                char e = text.charAt(pos + 1);
                if (raw) {
                    sb.append(c).append(e);
                    pos += 2;
                    continue;
                }
                pos += 2;
                switch (e) {
                    case '\n' -> { }
                    case '\\' -> sb.append('\\');
                    case '\'' -> sb.append('\'');
                    case '"' -> sb.append('"');
                    case 'a' -> sb.append('\u0007');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'v' -> sb.append('\u000b');
                    case 'x' -> sb.appendCodePoint(hex(2));
                    case 'u' -> {
                        if (bytes) {
                            sb.append("\\u");
                        } else {
                            sb.appendCodePoint(hex(4));
                        }
                    }
                    case 'U' -> {
                        if (bytes) {
                            sb.append("\\U");
                        } else {
                            int cp = hex(8);
                            if (cp < 0 || cp > Character.MAX_CODE_POINT) {   // 8 hex digits overflow int
                                throw error("\\U escape beyond Unicode");
                            }
                            sb.appendCodePoint(cp);
                        }
                    }
                    case 'N' -> throw error("\\N{...} escapes are not read");
                    default -> {
                        if (e >= '0' && e <= '7') {
                            int v = e - '0';
                            for (int i = 0; i < 2 && pos < text.length() && text.charAt(pos) >= '0'
                                    && text.charAt(pos) <= '7'; i++) {
                                v = v * 8 + (text.charAt(pos++) - '0');
                            }
                            sb.append((char) v);
                        } else {
                            sb.append('\\').append(e);   // Python keeps an unknown escape as written
                        }
                    }
                }
                continue;
            }
            if (bytes && c > 0x7f) {
                throw error("bytes can only contain ASCII literal characters");
            }
            sb.append(c);
            pos++;
        }
    }

    private int hex(int digits) throws SyntaxError {
        if (pos + digits > text.length()) {
            throw error("truncated escape");
        }
        int v = 0;
        for (int i = 0; i < digits; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) {
                throw error("bad hex escape");
            }
            v = v * 16 + d;
        }
        pos += digits;
        return v;
    }

    private Object number() throws SyntaxError {
        int start = pos;
        boolean negative = false;
        if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
            negative = text.charAt(pos) == '-';
            pos++;
            space();
        }
        int digits = pos;
        while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (pos == digits || (pos < text.length() && ".eExXoObBjJ".indexOf(text.charAt(pos)) >= 0)) {
            // Floats, complex and non-decimal ints never appear in a header numpy accepts; not needed here.
            throw error("only decimal ints are read, at " + text.substring(start, Math.min(text.length(), pos + 1)));
        }
        if (pos - digits > 4300) {
            throw error("an int of more than 4300 digits");   // CPython's own limit on int('...')
        }
        BigInteger n = new BigInteger(text.substring(digits, pos).replace("_", ""));
        n = negative ? n.negate() : n;
        return n.bitLength() < 64 ? (Object) n.longValue() : n;
    }

    private static final java.util.regex.Pattern PLAIN_DESCR = java.util.regex.Pattern.compile(
            "[|<>=]?(?:[?bBhHiIlLqQpPefdgFDGSUVa]\\d*|[mM]8(?:\\[\\d*[a-zA-Z]+\\])?"
                    + "|(?:bool|int|uint|float|complex)(?:8|16|32|64|128|256)?|str|bytes|void)");
    private static final java.util.regex.Pattern OBJECT_DESCR = java.util.regex.Pattern.compile(
            "[|<>=]?(?:O\\d*|object_?\\d*)");

    /**
     * Whether numpy would make a dtype holding Python objects from an {@code .npy} descr (and so pickle the data):
     * {@code TRUE} for an object type string or a structured or subarray descr with one, {@code FALSE} for plain
     * data, {@code null} for a descr the scanner cannot vouch for.
     */
    static Boolean holdsObjects(Object descr, int depth) {
        if (depth > MAX_DEPTH) {
            return null;
        }
        if (descr instanceof String s) {
            return OBJECT_DESCR.matcher(s).matches() ? Boolean.TRUE
                    : PLAIN_DESCR.matcher(s).matches() ? Boolean.FALSE : null;
        }
        if (descr instanceof Tuple t && t.items().size() == 2) {
            return holdsObjects(t.items().get(0), depth + 1);          // (base, shape): a subarray
        }
        if (descr instanceof List<?> fields) {
            Boolean any = Boolean.FALSE;
            for (Object f : fields) {
                if (!(f instanceof Tuple t) || t.items().size() < 2 || t.items().size() > 3) {
                    return null;
                }
                Boolean field = holdsObjects(t.items().get(1), depth + 1);  // (name, descr[, shape])
                if (Boolean.TRUE.equals(field)) {
                    return Boolean.TRUE;
                }
                if (field == null) {
                    any = null;
                }
            }
            return any;
        }
        return null;
    }

    private char peek() throws SyntaxError {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos);
    }

    private void space() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t'
                || text.charAt(pos) == '\n' || text.charAt(pos) == '\r' || text.charAt(pos) == '\f')) {
            pos++;
        }
    }

    private SyntaxError error(String what) {
        return new SyntaxError(what + " at character " + pos);
    }
}
