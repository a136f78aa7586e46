package dev.brine;

import dev.brine.cpython.CPython;
import dev.brine.value.PyBytes;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code Unpickler.builder().zeroCopy(true)}: bytes are views of the caller's array, and the same values. */
class ZeroCopyTest {
    /** CPython's pickle of (large bytes, short bytes, str) at {@code protocol}. */
    private static byte[] cpythonPickle(int protocol) {
        String code = "import pickle, sys; sys.stdout.buffer.write(pickle.dumps((bytes(range(256)) * 400, b'ab', 'x'), "
                + protocol + "))";
        return CPython.python3().check(new byte[0], "-c", code);
    }

    @Test
    void viewsReadTheSameValuesAsCopies() {
        for (int protocol = 3; protocol <= 5; protocol++) {
            byte[] data = cpythonPickle(protocol);
            Object copied = Pickle.loads(data);
            Object viewed = Unpickler.builder().zeroCopy(true).build().loads(data);
            assertThat(viewed).as("protocol %d", protocol).isEqualTo(copied);
        }
    }

    @Test
    void bytesShareTheInputArray() {
        byte[] data = cpythonPickle(5);
        PyTuple t = (PyTuple) Unpickler.builder().zeroCopy(true).build().loads(data);
        PyBytes big = (PyBytes) t.get(0);
        assertThat(big.get(1)).isEqualTo(1);
        int at = indexOf(data, new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
        data[at + 1] = 99;
        assertThat(big.get(1)).as("a view sees the caller's change").isEqualTo(99);
    }

    @Test
    void copiesByDefaultAndFromStreams() throws Exception {
        byte[] data = cpythonPickle(5);
        PyBytes copied = (PyBytes) ((PyTuple) Pickle.loads(data)).get(0);
        PyBytes streamed = (PyBytes) ((PyTuple) Unpickler.builder().zeroCopy(true).build()
                .load(new ByteArrayInputStream(data))).get(0);
        PyBytes buffered = (PyBytes) ((PyTuple) Unpickler.builder().zeroCopy(true).build()
                .load(ByteBuffer.wrap(data))).get(0);
        data[indexOf(data, new byte[] {0, 1, 2, 3, 4, 5, 6, 7}) + 1] = 99;
        assertThat(copied.get(1)).isEqualTo(1);
        assertThat(streamed.get(1)).isEqualTo(1);
        assertThat(buffered.get(1)).as("an array-backed ByteBuffer is viewed too").isEqualTo(99);
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("needle not found");
    }
}
