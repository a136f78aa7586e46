package dev.brine.cli;

import dev.brine.Unpickler;
import dev.brine.joblib.JoblibFile;
import dev.brine.tools.FileDisassembler;
import dev.brine.torch.TorchFile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells the files the tools read apart by their bytes, as the libraries that write them would: a torch checkpoint
 * (a zip archive, or the legacy stream that starts with torch's magic number), a joblib file (compressed, or a
 * pickle with array wrappers), a pickle that holds torch tensors, or a plain pickle.
 */
final class Artifacts {
    private Artifacts() {
    }

    /** What a file is. */
    enum Kind {
        /** A torch checkpoint or a pickle of torch values: read with {@link TorchFile}. */
        TORCH,
        /** A joblib file: read with {@link JoblibFile}. */
        JOBLIB,
        /** Any other pickle. */
        PICKLE
    }

    /** The bytes {@link FileDisassembler#kind} needs to tell a torch zip or legacy checkpoint by its start. */
    private static final int HEAD = 16;

    /**
     * What {@code data} is: as {@link FileDisassembler#kind} tells the container formats, and a plain pickle that
     * names torch's rebuilders (a tensor pickled with {@code pickle}) is read as torch values too.
     */
    static Kind kind(byte[] data) {
        switch (FileDisassembler.kind(data)) {
            case TORCH_ZIP:
            case TORCH_LEGACY:
                return Kind.TORCH;
            case JOBLIB:
                return Kind.JOBLIB;
            default:
                return contains(data, "torch._utils") || contains(data, "torch.storage") ? Kind.TORCH : Kind.PICKLE;
        }
    }

    /**
     * The value the file holds, read as its kind says. A plain pickle must be the whole file: bytes after its STOP
     * opcode fail, since a tool that showed only the first pickle would show less than the file holds.
     */
    static Object read(byte[] data, Unpickler unpickler) throws IOException {
        switch (kind(data)) {
            case TORCH:
                return TorchFile.read(new ByteArrayInputStream(data));
            case JOBLIB:
                return JoblibFile.read(new ByteArrayInputStream(data));
            default: {
                ByteBuffer buffer = ByteBuffer.wrap(data);
                Object value = unpickler.load(buffer);
                if (buffer.hasRemaining()) {
                    throw new IOException(buffer.remaining() + " bytes follow the pickle's STOP opcode at offset "
                            + (buffer.position() - 1) + "; only the first pickle was read");
                }
                return value;
            }
        }
    }

    /** The most a tool reads into one array: JVMs refuse arrays a few elements short of Integer.MAX_VALUE. */
    static final long MAX_IN_MEMORY = Integer.MAX_VALUE - 8;

    /**
     * The value a file holds, or null if the file is not a torch checkpoint (then read it as bytes). A torch zip or
     * legacy checkpoint is read from its path, with its storages memory-mapped rather than copied into the heap,
     * so checkpoints of any size (storages over 2 GiB included) can be shown.
     */
    static Object readCheckpoint(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD);
        }
        FileDisassembler.Kind kind = FileDisassembler.kind(head);
        return kind == FileDisassembler.Kind.TORCH_ZIP || kind == FileDisassembler.Kind.TORCH_LEGACY
                ? TorchFile.read(file) : null;
    }

    /**
     * The bytes of a file no larger than {@link #MAX_IN_MEMORY}.
     *
     * @throws IOException naming the size, for a larger one
     */
    static byte[] readBytes(Path file, String tool) throws IOException {
        long size = Files.size(file);
        if (size > MAX_IN_MEMORY) {
            throw new IOException("the file is " + size + " bytes; brine " + tool + " reads files up to 2 GiB into "
                    + "memory (torch checkpoints of any size are read from their path by brine json and convert)");
        }
        return Files.readAllBytes(file);
    }

    private static boolean contains(byte[] data, String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
