package dev.brine.internal.archive;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Builds ZIP archives byte by byte for tests, with every field open to tampering: a local header, then data, for
 * each entry; then the central directory and the end record. Sizes of 0xFFFFFFFF or more go to a zip64 extra
 * field in the central record.
 */
final class RawZip {
    private RawZip() {
    }

    /** One entry as it will be written; change any field before {@link #build}. */
    static final class Entry {
        String name;
        String localName;
        byte[] data;
        int method;
        int flags = 0x0808;
        long crc;
        long compressedSize;
        long size;
        int localSignature = 0x04034b50;
        byte[] localExtra = new byte[0];

        Entry(String name, byte[] data, int method, long size) {
            this.name = name;
            this.localName = name;
            this.data = data;
            this.method = method;
            this.compressedSize = data.length;
            this.size = size;
        }
    }

    static Entry stored(String name, byte[] data) {
        Entry e = new Entry(name, data, 0, data.length);
        e.crc = crc(data);
        return e;
    }

    static Entry deflated(String name, byte[] raw) {
        Entry e = new Entry(name, deflate(raw), 8, raw.length);
        e.crc = crc(raw);
        return e;
    }

    static long crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return c.getValue();
    }

    static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(raw);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    static byte[] build(Entry... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] offsets = new long[entries.length];
        for (int i = 0; i < entries.length; i++) {
            Entry e = entries[i];
            offsets[i] = out.size();
            byte[] name = e.localName.getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(30 + name.length + e.localExtra.length);
            h.putInt(e.localSignature).putShort((short) 20).putShort((short) e.flags).putShort((short) e.method)
                    .putShort((short) 0).putShort((short) 0x21).putInt(0).putInt(0).putInt(0)
                    .putShort((short) name.length).putShort((short) e.localExtra.length).put(name).put(e.localExtra);
            out.writeBytes(h.array());
            out.writeBytes(e.data);
        }
        long cdOffset = out.size();
        for (int i = 0; i < entries.length; i++) {
            Entry e = entries[i];
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            boolean bigSize = e.size >= 0xFFFFFFFFL;
            boolean bigComp = e.compressedSize >= 0xFFFFFFFFL;
            int extra = (bigSize || bigComp) ? 4 + (bigSize ? 8 : 0) + (bigComp ? 8 : 0) : 0;
            ByteBuffer c = le(46 + name.length + extra);
            c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) e.flags)
                    .putShort((short) e.method).putShort((short) 0).putShort((short) 0x21).putInt((int) e.crc)
                    .putInt((int) (bigComp ? -1 : e.compressedSize)).putInt((int) (bigSize ? -1 : e.size))
                    .putShort((short) name.length).putShort((short) extra).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) offsets[i]).put(name);
            if (extra > 0) {
                c.putShort((short) 1).putShort((short) (extra - 4));
                if (bigSize) {
                    c.putLong(e.size);
                }
                if (bigComp) {
                    c.putLong(e.compressedSize);
                }
            }
            out.writeBytes(c.array());
        }
        long cdSize = out.size() - cdOffset;
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.length)
                .putShort((short) entries.length).putInt((int) cdSize).putInt((int) cdOffset).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The offset of the end-of-central-directory record of an archive without a comment. */
    static int endOffset(byte[] zip) {
        return zip.length - 22;
    }

    /** The central directory offset an archive without a comment or zip64 records declares. */
    static int centralOffset(byte[] zip) {
        return ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).getInt(endOffset(zip) + 16);
    }
}
