package dev.brine.reader;

import dev.brine.internal.PyText;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PyText#decodeUtf8}, whose text of only Latin-1 characters takes a loop without a branch per byte, against
 * the JDK's strict UTF-8 decoder. Both must agree on every input without encoded surrogates: the same string, or
 * both refuse it.
 */
class Utf8DecodingTest {

    @Test
    void agreesWithTheStrictDecoderOnLatin1HeavyBytes() {
        Random random = new Random(20261124);
        for (int t = 0; t < 20_000; t++) {
            // Mostly the bytes of Latin-1 text (C2, C3, continuations, ASCII), with any byte now and then.
            byte[] data = new byte[random.nextInt(41)];
            for (int i = 0; i < data.length; i++) {
                int s = random.nextInt(256);
                data[i] = (byte) (s < 64 ? 0xc2 + (s & 1) : s < 160 ? 0x80 | (s & 0x3f) : s < 240 ? s & 0x7f : s);
            }
            assertThat(PyText.decodeUtf8(data, 0, data.length)).as("%s", java.util.Arrays.toString(data))
                    .isEqualTo(strict(data));
        }
    }

    @Test
    void decodesLatin1TextAsTheJdkEncodesIt() {
        Random random = new Random(7);
        for (int t = 0; t < 2_000; t++) {
            byte[] latin1 = new byte[random.nextInt(301)];
            random.nextBytes(latin1);
            String text = new String(latin1, StandardCharsets.ISO_8859_1);
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            assertThat(PyText.decodeUtf8(utf8, 0, utf8.length)).isEqualTo(text);
        }
    }

    @Test
    void refusesWhatLooksLatin1ButIsNot() {
        byte[][] bad = {
            {(byte) 0xc3},                              // a lead byte at the end
            {'a', (byte) 0xc3, 'b'},                    // a lead byte without its continuation
            {(byte) 0xc3, (byte) 0xa9, (byte) 0x80},    // a stray continuation
            {(byte) 0xc2, (byte) 0xc3, (byte) 0xa9},    // a lead byte where a continuation belongs
        };
        for (byte[] b : bad) {
            assertThat(PyText.decodeUtf8(b, 0, b.length)).as("%s", java.util.Arrays.toString(b)).isNull();
        }
    }

    @Test
    void fallsBackForTextBeyondLatin1AfterALatin1Start() {
        String text = "caf\u00e9 \u6771\u4eac \u00ff\ud83d\ude00";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertThat(PyText.decodeUtf8(utf8, 0, utf8.length)).isEqualTo(text);
        // And inside a larger array, as the reader passes its buffer with an offset.
        byte[] framed = new byte[utf8.length + 4];
        System.arraycopy(utf8, 0, framed, 2, utf8.length);
        framed[framed.length - 2] = (byte) 0xc3;
        assertThat(PyText.decodeUtf8(framed, 2, utf8.length)).isEqualTo(text);
    }

    private static String strict(byte[] data) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
