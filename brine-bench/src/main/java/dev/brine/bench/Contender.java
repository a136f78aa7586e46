package dev.brine.bench;

import dev.brine.Pickler;
import dev.brine.Unpickler;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A pickle implementation under test: how it loads a pickle and dumps what it loaded. Each contender dumps its own
 * loaded value, as a user of that library would.
 */
public enum Contender {
    /** Brine with its default configuration, reading from a byte[] (payloads are copied out of the input). */
    brine {
        private final Unpickler unpickler = Unpickler.builder().build();

        @Override
        public Object loads(byte[] data) {
            return unpickler.loads(data);
        }

        @Override
        public byte[] dumps(Object value, int protocol) {
            return Pickler.builder().protocol(protocol).build().dumps(value);
        }
    },

    /** Brine with {@code zeroCopy(true)}: bytes payloads are views of the input array. */
    brineZeroCopy {
        private final Unpickler unpickler = Unpickler.builder().zeroCopy(true).build();

        @Override
        public Object loads(byte[] data) {
            return unpickler.loads(data);
        }

        @Override
        public byte[] dumps(Object value, int protocol) {
            return Pickler.builder().protocol(protocol).build().dumps(value);
        }
    },

    /**
     * Brine as {@link #brine}, with room for 100M memo entries instead of the default 10M: for the scaling series,
     * whose 10M records make three memo entries each (the dict and its two str values), 30M in all. The memo's
     * limit bounds what a malicious input can make the reader keep; it costs nothing per entry below it.
     */
    brineLargeMemo {
        private final Unpickler unpickler = Unpickler.builder().maxMemoEntries(100_000_000).build();

        @Override
        public Object loads(byte[] data) {
            return unpickler.loads(data);
        }

        @Override
        public byte[] dumps(Object value, int protocol) {
            return Pickler.builder().protocol(protocol).build().dumps(value);
        }
    },

    /** Pyrolite ({@code net.razorvine:pickle}), which writes protocol 2 whatever it read. */
    pyrolite {
        @Override
        public Object loads(byte[] data) {
            net.razorvine.pickle.Unpickler u = new net.razorvine.pickle.Unpickler();
            try {
                return u.loads(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public byte[] dumps(Object value, int protocol) {
            try {
                return new net.razorvine.pickle.Pickler().dumps(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** Reads one pickle. */
    public abstract Object loads(byte[] data);

    /** Writes {@code value}, which this contender loaded, at {@code protocol} where it can. */
    public abstract byte[] dumps(Object value, int protocol);
}
