package dev.brine.spark;

import java.util.ArrayList;
import java.util.List;

/** Parses the JSON array of strings Spark passes as the {@code paths} option. */
final class JsonStrings {
    private JsonStrings() {
    }

    static List<String> parseArray(String json) {
        List<String> out = new ArrayList<>();
        int i = skip(json, 0);
        if (i >= json.length() || json.charAt(i) != '[') {
            throw new IllegalArgumentException("option paths is not a JSON array: " + json);
        }
        i = skip(json, i + 1);
        if (i < json.length() && json.charAt(i) == ']') {
            return out;
        }
        while (true) {
            if (i >= json.length() || json.charAt(i) != '"') {
                throw new IllegalArgumentException("option paths is not a JSON array of strings: " + json);
            }
            StringBuilder sb = new StringBuilder();
            i++;
            while (true) {
                if (i >= json.length()) {
                    throw new IllegalArgumentException("option paths has an unterminated string: " + json);
                }
                char c = json.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    if (i >= json.length()) {
                        throw new IllegalArgumentException("option paths has a bad escape: " + json);
                    }
                    char e = json.charAt(i++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            if (i + 4 > json.length()) {
                                throw new IllegalArgumentException("option paths has a bad escape: " + json);
                            }
                            sb.append((char) Integer.parseInt(json.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> sb.append(e);
                    }
                } else {
                    sb.append(c);
                }
            }
            out.add(sb.toString());
            i = skip(json, i);
            if (i < json.length() && json.charAt(i) == ',') {
                i = skip(json, i + 1);
                continue;
            }
            if (i < json.length() && json.charAt(i) == ']') {
                return out;
            }
            throw new IllegalArgumentException("option paths is not a JSON array of strings: " + json);
        }
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
