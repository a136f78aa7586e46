package dev.brine.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;

/**
 * The values of the SequenceFiles {@code saveAsObjectFile} writes (and so PySpark's {@code saveAsPickleFile}):
 * each a Java-serialized {@code byte[][]} (PySpark's RDD of {@code Array[Byte]}), or an {@code Object[]} of
 * {@code byte[]} (what {@code saveAsObjectFile} makes of a Java API {@code JavaRDD<byte[]>}, whose class tag is
 * {@code Object}). Reading them runs Java deserialization restricted to those three array classes: any other
 * class named in the stream is refused before it is even loaded, and array lengths are checked against the bytes
 * at hand before anything is allocated.
 */
final class ObjectFileValues {
    private static final String BYTES = byte[].class.getName();        // "[B"
    private static final String BATCHES = byte[][].class.getName();    // "[[B"
    private static final String OBJECTS = Object[].class.getName();    // "[Ljava.lang.Object;"

    private ObjectFileValues() {
    }

    /** Thrown for a value that is not a serialized {@code byte[][]}; nothing in it was deserialized. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The {@code byte[][]} serialized in {@code data[0, length)}. */
    static byte[][] decode(byte[] data, int length) throws Refused {
        ByteArrayInputStream bytes = new ByteArrayInputStream(data, 0, length);
        Object value;
        try (Restricted in = new Restricted(bytes, length)) {
            value = in.readObject();
            if (bytes.available() != 0) {
                throw new Refused(bytes.available() + " bytes follow the serialized byte[][]", null);
            }
        } catch (Refused e) {
            throw e;
        } catch (InvalidClassException e) {
            throw new Refused("the value is not a serialized byte[][]: " + e.getMessage()
                    + "; refused without deserializing it", e);
        } catch (ClassNotFoundException | IOException | RuntimeException e) {
            throw new Refused("the value is not a readable serialized byte[][]: " + e, e);
        }
        if (value instanceof Object[] objects && !(value instanceof byte[][])) {
            byte[][] copy = new byte[objects.length][];
            for (int i = 0; i < objects.length; i++) {
                if (!(objects[i] instanceof byte[] b)) {
                    throw new Refused("element " + i + " of the serialized Object[] is a "
                            + (objects[i] == null ? "null" : objects[i].getClass().getName()) + ", not a byte[]",
                            null);
                }
                copy[i] = b;
            }
            value = copy;
        }
        if (!(value instanceof byte[][] batches)) {
            throw new Refused("the value is a serialized " + (value == null ? "null" : value.getClass().getName())
                    + ", not a byte[][]", null);
        }
        for (int i = 0; i < batches.length; i++) {
            if (batches[i] == null) {
                throw new Refused("batch " + i + " of the byte[][] is null", null);
            }
        }
        return batches;
    }

    /** {@code batches} serialized as {@code saveAsObjectFile} does. */
    static byte[] encode(byte[][] batches) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(out)) {
            o.writeObject(batches);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** An ObjectInputStream that resolves byte[][] and byte[] only and bounds every array by the input's size. */
    private static final class Restricted extends ObjectInputStream {
        Restricted(ByteArrayInputStream in, int length) throws IOException {
            super(in);
            setObjectInputFilter(info -> {
                Class<?> c = info.serialClass();
                if (c != null && c != byte[][].class && c != byte[].class && c != Object[].class) {
                    return ObjectInputFilter.Status.REJECTED;
                }
                // A byte[] holds at most as many bytes as the value; a byte[][] at most that many arrays.
                if (info.arrayLength() > length || info.depth() > 2 || info.references() > (long) length + 2) {
                    return ObjectInputFilter.Status.REJECTED;
                }
                return ObjectInputFilter.Status.ALLOWED;
            });
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
            if (name.equals(BATCHES)) {
                return byte[][].class;
            }
            if (name.equals(BYTES)) {
                return byte[].class;
            }
            if (name.equals(OBJECTS)) {
                return Object[].class;
            }
            throw new InvalidClassException(name, "class not allowed (only byte[][], Object[] and byte[] are)");
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws InvalidClassException {
            throw new InvalidClassException(String.join(",", interfaces), "proxy classes are not allowed");
        }
    }
}
