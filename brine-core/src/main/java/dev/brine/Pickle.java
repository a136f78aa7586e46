package dev.brine;

/**
 * Shortcuts for the common cases.
 *
 * <pre>{@code
 * Object value = Pickle.loads(Files.readAllBytes(Path.of("data.pkl")));
 * }</pre>
 */
public final class Pickle {
    private Pickle() {
    }

    /**
     * Reads one pickle with the default {@link Unpickler}: Python 2 strings as ASCII, Python 2 names renamed,
     * unknown globals as inert nodes, default limits.
     *
     * @throws PickleException if the pickle is malformed or exceeds a default limit
     */
    public static Object loads(byte[] data) {
        return Unpickler.DEFAULT.loads(data);
    }

    /**
     * Writes {@code value} as a pickle with the default {@link Pickler}: protocol 4, CPython's default.
     *
     * @throws PickleException if the value, or something it contains, cannot be pickled
     */
    public static byte[] dumps(Object value) {
        return Pickler.forProtocol(Pickler.DEFAULT_PROTOCOL).dumps(value);
    }

    /**
     * Writes {@code value} as a pickle of the given protocol, 0 to 5, with the bytes CPython's
     * {@code pickle.dumps(value, protocol)} writes for the equivalent Python value.
     *
     * @throws PickleException if the value, or something it contains, cannot be pickled
     */
    public static byte[] dumps(Object value, int protocol) {
        return Pickler.forProtocol(protocol).dumps(value);
    }
}
