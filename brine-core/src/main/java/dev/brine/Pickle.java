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
}
