package dev.brine.reader;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.PickleLimitException;
import dev.brine.Unpickler;
import dev.brine.internal.format.Opcode;
import dev.brine.value.GlobalRef;
import dev.brine.value.PersistentRef;
import dev.brine.value.PyBytes;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import static dev.brine.internal.format.Opcode.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pickle machine's own rules, on streams built opcode by opcode: errors name the offset and the opcode, limits
 * name the builder method, and the semantics CPython defines (memo, marks, frames, names) hold. Conformance with
 * real CPython pickles is tested in {@code dev.brine.conformance}.
 */
class UnpicklerTest {

    private static PickleException failure(byte[] data) {
        try {
            Object v = Pickle.loads(data);
            throw new AssertionError("expected a PickleException, got " + v);
        } catch (PickleException e) {
            return e;
        }
    }

    @Test
    void errorNamesOffsetAndOpcode() {
        byte[] data = Ops.start().proto(2).op(NONE).op(BINGET, 7).stop().bytes();
        PickleException e = failure(data);
        assertThat(e.offset()).isEqualTo(3);
        assertThat(e.opcode()).isEqualTo("BINGET");
        assertThat(e.getMessage()).contains("memo has no entry 7").contains("BINGET").contains("offset 3");
    }

    @Test
    void emptyInputAndUnknownOpcode() {
        assertThat(failure(new byte[0]).getMessage()).contains("empty input");
        PickleException e = failure(new byte[] {(byte) 0x80, 2, (byte) 0xff});
        assertThat(e.offset()).isEqualTo(2);
        assertThat(e.getMessage()).contains("invalid opcode byte 0xff");
    }

    @Test
    void unsupportedProtocol() {
        assertThat(failure(Ops.start().proto(6).op(NONE).stop().bytes()).getMessage())
                .contains("unsupported pickle protocol: 6");
    }

    @Test
    void declaredLengthBeyondInputFailsBeforeAllocating() {
        for (Opcode op : List.of(BINBYTES8, BYTEARRAY8, BINUNICODE8)) {
            byte[] data = Ops.start().proto(5).op(op).le8(Long.MAX_VALUE).stop().bytes();
            assertThat(failure(data).getMessage()).containsAnyOf("truncated", "exceeds");
            byte[] huge = Ops.start().proto(5).op(op).le8(-1).stop().bytes();
            assertThat(failure(huge).opcode()).isEqualTo(op.name());
        }
        byte[] b4 = Ops.start().proto(3).op(BINBYTES).le4(0xffffffffL).bytes();
        assertThat(failure(b4).getMessage()).contains("declares 4294967295 bytes");
    }

    @Test
    void declaredLengthBeyondStreamFailsWithoutAllocatingIt() throws IOException {
        byte[] data = Ops.start().proto(5).op(BINBYTES8).le8(1L << 40).text("abc").bytes();
        InputStream in = new ByteArrayInputStream(data);
        assertThatThrownBy(() -> Unpickler.builder().build().load(in))
                .isInstanceOf(PickleException.class).hasMessageContaining("more than a Java array");
        byte[] small = Ops.start().proto(5).op(BINBYTES8).le8(1L << 20).text("abc").bytes();
        assertThatThrownBy(() -> Unpickler.builder().build().load(new ByteArrayInputStream(small)))
                .isInstanceOf(PickleException.class).hasMessageContaining("truncated");
    }

    @Test
    void negativeLengthsAreRejected() {
        assertThat(failure(Ops.start().op(BINSTRING).le4(-1).bytes()).getMessage()).contains("negative");
        assertThat(failure(Ops.start().proto(2).op(LONG4).le4(-1).bytes()).getMessage()).contains("negative");
    }

    @Test
    void memoIsSparseAndKeyedByUnsigned32BitIndex() {
        byte[] data = Ops.start().proto(2).op(EMPTY_LIST).op(LONG_BINPUT).le4(0xffffffffL).op(POP)
                .op(LONG_BINGET).le4(0xffffffffL).stop().bytes();
        assertThat(Pickle.loads(data)).isEqualTo(List.of());
    }

    @Test
    void memoizeUsesTheNumberOfEntriesNotTheHighestIndex() {
        // PUT 5, then MEMOIZE stores at index 1, as CPython's memo_len.
        byte[] data = Ops.start().proto(4).shortUnicode("a").op(BINPUT, 5).op(POP).shortUnicode("b").op(MEMOIZE)
                .op(POP).op(BINGET, 1).stop().bytes();
        assertThat(Pickle.loads(data)).isEqualTo("b");
    }

    @Test
    void negativePutIsRejected() {
        assertThat(failure(Ops.start().op(NONE).line(PUT, "-1").stop().bytes()).getMessage())
                .contains("negative PUT argument");
    }

    @Test
    void sharedReferencesStayShared() {
        byte[] data = Ops.start().proto(2).op(EMPTY_LIST).op(BINPUT, 0).op(BINGET, 0).op(TUPLE2).stop().bytes();
        PyTuple t = (PyTuple) Pickle.loads(data);
        assertThat(t.get(0)).isSameAs(t.get(1));
    }

    @Test
    void popOnAnEmptyStackDiscardsTheMark() {
        // pickle.py's load_pop: with nothing above the topmost mark, POP pops the mark, so TUPLE1 sees None.
        byte[] data = Ops.start().proto(2).op(NONE).op(MARK).op(POP).op(TUPLE1).stop().bytes();
        assertThat(Pickle.loads(data)).isEqualTo(PyTuple.of((Object) null));
        assertThat(failure(Ops.start().op(POP).op(NONE).stop().bytes()).getMessage()).contains("nothing to pop");
    }

    @Test
    void opcodesSeeOnlyTheItemsAboveTheMark() {
        PickleException e = failure(Ops.start().op(EMPTY_LIST).op(MARK).op(NONE).op(APPEND).stop().bytes());
        assertThat(e.opcode()).isEqualTo("APPEND");
        assertThat(e.getMessage()).contains("stack underflow");
        assertThat(failure(Ops.start().op(NONE).op(TUPLE).stop().bytes()).getMessage()).contains("could not find MARK");
        assertThat(failure(Ops.start().op(MARK).stop().bytes()).getMessage()).contains("STOP");
    }

    @Test
    void frameStraddlingIsAnError() {
        // A frame of 3 bytes holding NONE, BININT2 and only the first byte of BININT2's argument.
        byte[] data = Ops.start().proto(4).op(FRAME).le8(3).op(NONE).op(BININT2, 1, 0).op(TUPLE2).stop().bytes();
        PickleException e = failure(data);
        assertThat(e.opcode()).isEqualTo("BININT2");
        assertThat(e.getMessage()).contains("frame");
    }

    @Test
    void readsMayContinuePastAnExhaustedFrame() {
        byte[] data = Ops.start().proto(4).op(FRAME).le8(1).op(NONE).op(TUPLE1).stop().bytes();
        assertThat(Pickle.loads(data)).isEqualTo(PyTuple.of((Object) null));
        // As pickle._Unpickler: an argument may start exactly where the frame ends.
        byte[] argAfter = Ops.start().proto(4).op(FRAME).le8(2).op(NONE).op(BININT1, 1).op(TUPLE2).stop().bytes();
        assertThat(Pickle.loads(argAfter)).isEqualTo(PyTuple.of(null, 1L));
    }

    @Test
    void newFrameInsideAFrameIsAnError() {
        byte[] data = Ops.start().proto(4).op(FRAME).le8(20).op(FRAME).le8(1).op(NONE).stop().bytes();
        assertThat(failure(data).getMessage()).contains("new frame before end of current frame");
    }

    @Test
    void dottedNamesResolveOnlyFromProtocol4() {
        byte[] p2 = Ops.start().proto(2).line(GLOBAL, "collections", "OrderedDict.fromkeys").stop().bytes();
        assertThat(failure(p2).getMessage()).contains("protocol 4");
        byte[] p4 = Ops.start().proto(4).line(GLOBAL, "collections", "OrderedDict.fromkeys").stop().bytes();
        assertThat(Pickle.loads(p4)).isEqualTo(new GlobalRef("collections", "OrderedDict.fromkeys"));
    }

    @Test
    void python2NamesAreRenamedBelowProtocol3() {
        byte[] data = Ops.start().proto(2).line(GLOBAL, "__builtin__", "unicode").stop().bytes();
        assertThat(Pickle.loads(data)).isEqualTo(new GlobalRef("builtins", "str"));
        byte[] p3 = Ops.start().proto(3).line(GLOBAL, "__builtin__", "unicode").stop().bytes();
        assertThat(Pickle.loads(p3)).isEqualTo(new GlobalRef("__builtin__", "unicode"));
        Unpickler noFix = Unpickler.builder().fixImports(false).build();
        assertThat(noFix.loads(data)).isEqualTo(new GlobalRef("__builtin__", "unicode"));
    }

    @Test
    void unknownCallsBecomeInertNodes() {
        byte[] data = Ops.start().proto(2).line(GLOBAL, "os", "system").shortUnicode("echo hi").op(TUPLE1)
                .op(REDUCE).op(EMPTY_DICT).op(BUILD).stop().bytes();
        PyObject o = (PyObject) Pickle.loads(data);
        assertThat(o.kind()).isEqualTo(PyObject.Kind.REDUCE);
        assertThat(o.global()).isEqualTo(new GlobalRef("os", "system"));
        assertThat(o.args()).containsExactly("echo hi");
        assertThat(o.state()).isEqualTo(Map.of());
    }

    @Test
    void strictModeNamesTheGlobalAndTheBuilderCall() {
        byte[] data = Ops.start().proto(2).line(GLOBAL, "os", "system").stop().bytes();
        Unpickler strict = Unpickler.builder().strict(true).build();
        assertThatThrownBy(() -> strict.loads(data)).isInstanceOf(PickleException.class)
                .hasMessageContaining("os.system").hasMessageContaining(".allowGlobal(\"os\", \"system\")");
        assertThat(Unpickler.builder().strict(true).allowGlobal("os", "system").build().loads(data))
                .isEqualTo(new GlobalRef("os", "system"));
    }

    @Test
    void extensionsComeFromTheCallersRegistry() {
        byte[] data = Ops.start().proto(2).op(EXT1, 42).stop().bytes();
        assertThat(failure(data).getMessage()).contains("unregistered extension code 42");
        Unpickler u = Unpickler.builder().extension(42, "collections", "OrderedDict").build();
        assertThat(u.loads(data)).isEqualTo(new GlobalRef("collections", "OrderedDict"));
        assertThat(failure(Ops.start().proto(2).op(EXT4).le4(-5).stop().bytes()).getMessage()).contains("code <= 0");
    }

    @Test
    void persistentIdsGoThroughTheHookOrStayInert() {
        byte[] data = Ops.start().line(PERSID, "42").stop().bytes();
        assertThat(Pickle.loads(data)).isEqualTo(new PersistentRef("42"));
        Unpickler u = Unpickler.builder().persistentLoad(id -> "loaded " + id).build();
        assertThat(u.loads(data)).isEqualTo("loaded 42");
    }

    @Test
    void outOfBandBuffersComeFromTheCaller() {
        byte[] data = Ops.start().proto(5).op(NEXT_BUFFER).op(NEXT_BUFFER).op(READONLY_BUFFER).op(TUPLE2).stop()
                .bytes();
        assertThat(failure(data).getMessage()).contains("no buffers");
        ByteBuffer writable = ByteBuffer.allocate(3);
        ByteBuffer other = ByteBuffer.allocate(2);
        PyTuple t = (PyTuple) Unpickler.builder().build().loads(data, List.of(writable, other));
        assertThat(t.get(0)).isSameAs(writable);
        assertThat(((ByteBuffer) t.get(1)).isReadOnly()).isTrue();
        assertThatThrownBy(() -> Unpickler.builder().build().loads(data, List.of(writable)))
                .hasMessageContaining("not enough out-of-band buffers");
    }

    @Test
    void python2StringsFollowTheEncoding() {
        byte[] data = Ops.start().op(SHORT_BINSTRING, 2).raw(0x63, 0xe9).stop().bytes();
        assertThat(failure(data).getMessage()).contains("encoding(\"latin1\")");
        assertThat(Unpickler.builder().encoding("latin1").build().loads(data)).isEqualTo("c\u00e9");
        assertThat(Unpickler.builder().encoding("bytes").build().loads(data)).isEqualTo(PyBytes.of((byte) 0x63, (byte) 0xe9));
    }

    @Test
    void unhashableKeysAreRejectedAsInPython() {
        byte[] data = Ops.start().proto(2).op(EMPTY_DICT).op(EMPTY_LIST).op(NONE).op(SETITEM).stop().bytes();
        assertThat(failure(data).getMessage()).contains("unhashable type: 'list'");
    }

    @Test
    void limitsNameTheBuilderMethod() {
        Ops deep = Ops.start().proto(2);
        for (int i = 0; i < 20; i++) {
            deep.op(EMPTY_TUPLE);
        }
        for (int i = 0; i < 20; i++) {
            deep.op(TUPLE1);
        }
        byte[] data = deep.stop().bytes();
        assertThatThrownBy(() -> Unpickler.builder().maxNesting(10).build().loads(data))
                .isInstanceOf(PickleLimitException.class).hasMessageContaining("Unpickler.builder().maxNesting(");
        Ops marks = Ops.start();
        for (int i = 0; i < 100; i++) {
            marks.op(MARK);
        }
        byte[] manyMarks = marks.op(NONE).stop().bytes();
        assertThatThrownBy(() -> Unpickler.builder().maxStackDepth(50).build().loads(manyMarks))
                .isInstanceOf(PickleLimitException.class).hasMessageContaining("maxStackDepth");
        Ops memo = Ops.start().proto(2).op(NONE);
        for (int i = 0; i < 10; i++) {
            memo.op(BINPUT, i);
        }
        byte[] memoData = memo.stop().bytes();
        assertThatThrownBy(() -> Unpickler.builder().maxMemoEntries(5).build().loads(memoData))
                .isInstanceOf(PickleLimitException.class).hasMessageContaining("maxMemoEntries");
        Ops memoize = Ops.start().proto(4).op(NONE);
        for (int i = 0; i < 10; i++) {
            memoize.op(MEMOIZE);
        }
        byte[] memoizeData = memoize.stop().bytes();
        assertThatThrownBy(() -> Unpickler.builder().maxMemoEntries(5).build().loads(memoizeData))
                .isInstanceOf(PickleLimitException.class).hasMessageContaining("maxMemoEntries");
        assertThat(Unpickler.builder().maxMemoEntries(10).build().loads(memoizeData)).isNull();
        // Storing again at an index already in the memo adds no entry, so a full memo allows it.
        Ops again = Ops.start().proto(2).op(NONE);
        for (int i = 0; i < 10; i++) {
            again.op(BINPUT, 0);
        }
        byte[] againData = again.stop().bytes();
        assertThat(Unpickler.builder().maxMemoEntries(1).build().loads(againData)).isNull();
    }

    @Test
    void concatenatedPicklesReadOneAfterAnother() throws IOException {
        byte[] a = Ops.start().proto(2).op(BININT1, 1).stop().bytes();
        byte[] b = Ops.start().line(INT, "2").stop().bytes();
        byte[] c = Ops.start().proto(4).op(FRAME).le8(3).op(BININT1, 3).stop().bytes();
        byte[] all = new byte[a.length + b.length + c.length + 1];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        all[all.length - 1] = 'x';
        Unpickler u = Unpickler.builder().build();
        ByteArrayInputStream in = new ByteArrayInputStream(all);
        assertThat(u.load(in)).isEqualTo(1L);
        assertThat(u.load(in)).isEqualTo(2L);
        assertThat(u.load(in)).isEqualTo(3L);
        assertThat(in.read()).isEqualTo('x');
        ByteBuffer buf = ByteBuffer.wrap(all);
        assertThat(u.load(buf)).isEqualTo(1L);
        assertThat(u.load(buf)).isEqualTo(2L);
        assertThat(u.load(buf)).isEqualTo(3L);
        assertThat(buf.remaining()).isEqualTo(1);
    }

    @Test
    void textIntegersFollowPythonsIntWithBase0() {
        assertThat(Pickle.loads(Ops.start().line(INT, "00").stop().bytes())).isEqualTo(false);
        assertThat(Pickle.loads(Ops.start().line(INT, "01").stop().bytes())).isEqualTo(true);
        assertThat(Pickle.loads(Ops.start().line(INT, " -12").stop().bytes())).isEqualTo(-12L);
        assertThat(Pickle.loads(Ops.start().line(LONG, "123456789012345678901234567890L").stop().bytes()))
                .hasToString("123456789012345678901234567890");
        assertThat(failure(Ops.start().line(INT, "010").stop().bytes()).getMessage()).contains("invalid integer");
        assertThat(failure(Ops.start().line(FLOAT, "1.5d").stop().bytes()).getMessage()).contains("invalid float");
    }
}
