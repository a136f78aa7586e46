package dev.brine.reader;

import dev.brine.internal.format.PyText;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PyText#decodeUtf8}, whose text of only Latin-1 characters takes a loop over eight bytes at a time, against
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
            assertThat(PyText.decodeUtf8(data, 0, data.length)).as("%s", Arrays.toString(data))
                    .isEqualTo(strict(data));
        }
    }

    @Test
    void agreesWithTheStrictDecoderAcrossWordsAndInsideALargerArray() {
        // The Latin-1 loop reads eight bytes at a time and the byte after them: lengths around multiples of eight,
        // an offset into a larger array, and lead bytes and continuations just outside the range it may not read.
        Random random = new Random(8);
        for (int t = 0; t < 20_000; t++) {
            int length = random.nextInt(70);
            byte[] text = new byte[length];
            int i = 0;
            while (i < length) {
                int c = random.nextInt(256);
                if (c >= 0x80 && i + 1 < length) {
                    text[i++] = (byte) (0xc0 | c >>> 6);
                    text[i++] = (byte) (0x80 | c & 0x3f);
                } else {
                    text[i++] = (byte) (c & 0x7f);
                }
            }
            if (length > 0 && random.nextInt(3) == 0) {
                // One wrong byte anywhere: a stray continuation, a bad lead byte, a lead byte without continuation.
                byte[] wrong = {(byte) 0x80, (byte) 0xbf, (byte) 0xc0, (byte) 0xc1, (byte) 0xc4, (byte) 0xe0, 'a'};
                text[random.nextInt(length)] = wrong[random.nextInt(wrong.length)];
            }
            int offset = random.nextInt(9);
            byte[] framed = new byte[offset + length + 9];
            Arrays.fill(framed, (byte) 0x80);
            framed[offset + length] = (byte) 0xc3;
            System.arraycopy(text, 0, framed, offset, length);
            assertThat(PyText.decodeUtf8(framed, offset, length)).as("%s", Arrays.toString(text))
                    .isEqualTo(strict(text));
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
            assertThat(PyText.decodeUtf8(b, 0, b.length)).as("%s", Arrays.toString(b)).isNull();
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
