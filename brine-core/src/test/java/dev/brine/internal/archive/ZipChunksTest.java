package dev.brine.internal.archive;

import dev.brine.PickleException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ZipReader#readChunks}: entries read as several buffers, and entries over 2 GiB that lie about their size. */
class ZipChunksTest {

    @Test
    void aStoredEntryDeclaringMoreThanTheArchiveHoldsFailsBeforeMapping() {
        RawZip.Entry e = RawZip.stored("m/data/0", new byte[4]);
        e.size = 3L << 30;
        e.compressedSize = 3L << 30;
        ZipReader zip = ZipReader.of(ByteBuffer.wrap(RawZip.build(e)));
        assertThat(zip.size("m/data/0")).isEqualTo(3L << 30);
        assertThatThrownBy(() -> zip.readChunks("m/data/0", 1 << 30, false)).isInstanceOf(PickleException.class)
                .hasMessageContaining("m/data/0").hasMessageContaining("run past the end of the archive");
        assertThatThrownBy(() -> zip.read("m/data/0")).isInstanceOf(PickleException.class)
                .hasMessageContaining("run past the end of the archive");
    }

    @Test
    void aDeflatedEntryIsInflatedThenSliced() throws Exception {
        byte[] raw = new byte[100];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i * 7);
        }
        ZipReader zip = ZipReader.of(ByteBuffer.wrap(RawZip.build(RawZip.deflated("d", raw))));
        List<ByteBuffer> chunks = zip.readChunks("d", 32, true);
        assertThat(chunks).extracting(ByteBuffer::remaining).containsExactly(32, 32, 32, 4);
        byte[] back = new byte[100];
        int at = 0;
        for (ByteBuffer b : chunks) {
            int n = b.remaining();
            b.get(back, at, n);
            at += n;
        }
        assertThat(back).isEqualTo(raw);
        assertThatThrownBy(() -> zip.readChunks("d", 0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> zip.readChunks("nope", 16, true)).isInstanceOf(PickleException.class)
                .hasMessageContaining("no entry");
    }
}
