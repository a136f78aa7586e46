package dev.brine.kafka;

import org.apache.kafka.common.config.ConfigException;

import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/** Reads the {@code brine.*} settings from a Kafka configuration map; a bad value throws {@link ConfigException}. */
final class BrineKafkaConfig {
    private BrineKafkaConfig() {
    }

    /** Whether {@code key} is set (to anything but null). */
    static boolean has(Map<String, ?> configs, String key) {
        return configs != null && configs.get(key) != null;
    }

    static String string(Map<String, ?> configs, String key, String fallback) {
        Object v = configs == null ? null : configs.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String)) {
            throw new ConfigException(key, v, "expected a string, got a " + v.getClass().getName());
        }
        String s = ((String) v).trim();
        if (s.isEmpty()) {
            throw new ConfigException(key, v, "must not be empty");
        }
        return s;
    }

    static boolean bool(Map<String, ?> configs, String key, boolean fallback) {
        Object v = configs == null ? null : configs.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof String) {
            String s = ((String) v).trim().toLowerCase(Locale.ROOT);
            if (s.equals("true")) {
                return true;
            }
            if (s.equals("false")) {
                return false;
            }
        }
        throw new ConfigException(key, v, "expected true or false");
    }

    static long number(Map<String, ?> configs, String key, long fallback, long min, long max) {
        Object v = configs == null ? null : configs.get(key);
        if (v == null) {
            return fallback;
        }
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else if (v instanceof String) {
            try {
                n = Long.parseLong(((String) v).trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key, v, "expected a whole number from " + min + " to " + max);
            }
        } else {
            throw new ConfigException(key, v, "expected a whole number, got a " + v.getClass().getName());
        }
        if (n < min || n > max) {
            throw new ConfigException(key, v, "must be from " + min + " to " + max);
        }
        return n;
    }

    static Framing framing(Map<String, ?> configs) {
        String s = string(configs, PickleSerde.FRAMING_CONFIG, "raw");
        switch (s.toLowerCase(Locale.ROOT)) {
            case "raw":
                return Framing.RAW;
            case "base64":
                return Framing.BASE64;
            default:
                throw new ConfigException(PickleSerde.FRAMING_CONFIG, s, "expected raw or base64");
        }
    }

    /** How a record value holds its pickle. */
    enum Framing {
        /** The value is the pickle. */
        RAW,
        /** The value is the pickle's standard base64 text (line breaks allowed when reading). */
        BASE64;

        byte[] wrap(byte[] pickle) {
            return this == RAW ? pickle : Base64.getEncoder().encode(pickle);
        }

        /** The pickle inside {@code data}; throws IllegalArgumentException for text that is not base64. */
        byte[] unwrap(byte[] data) {
            if (this == RAW) {
                return data;
            }
            int n = 0;
            byte[] text = new byte[data.length];
            for (byte b : data) {
                if (b != '\n' && b != '\r') {
                    text[n++] = b;
                }
            }
            return Base64.getDecoder().decode(n == text.length ? text : Arrays.copyOf(text, n));
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The first bytes of {@code data} as text, for error messages. */
    static String preview(byte[] data) {
        int n = Math.min(data.length, 16);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", data[i] & 0xff));
        }
        if (n < data.length) {
            sb.append("...");
        }
        return sb.toString();
    }
}
