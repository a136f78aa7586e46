package dev.brine.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The pickle files {@code bench/payloads.py} wrote. Their directory is the system property
 * {@code brine.bench.payloads}, by default {@code target/bench/payloads} under the working directory.
 */
public final class Payloads {
    private Payloads() {
    }

    /** The payload directory. */
    public static Path dir() {
        return Paths.get(System.getProperty("brine.bench.payloads", "target/bench/payloads"));
    }

    /** The bytes of payload {@code name}, such as {@code ints-p5}. */
    public static byte[] read(String name) {
        Path file = dir().resolve(name + ".pickle");
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read payload " + file.toAbsolutePath()
                    + "; write the payloads with python3 bench/payloads.py --out " + dir(), e);
        }
    }

    /** The protocol a payload was written at, from its name's {@code -pN} suffix. */
    public static int protocol(String name) {
        return Character.digit(name.charAt(name.lastIndexOf("-p") + 2), 10);
    }
}
