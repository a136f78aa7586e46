package dev.brine.internal.read;

import dev.brine.PickleException;
import dev.brine.PickleLimitException;
import dev.brine.internal.format.CompatNames;
import dev.brine.internal.format.Opcode;
import dev.brine.internal.format.PyRepr;
import dev.brine.internal.format.PyText;
import dev.brine.internal.format.Wire;
import dev.brine.internal.portable.PortableRuntime;
import dev.brine.internal.types.KnownGlobals;
import dev.brine.internal.types.LoadedDict;
import dev.brine.internal.types.LoadedList;
import dev.brine.internal.types.LoadedTuples;
import dev.brine.internal.types.MemoIdentity;
import dev.brine.internal.types.ReadChecks;
import dev.brine.internal.types.SharedForms;
import dev.brine.value.GlobalRef;
import dev.brine.value.PersistentRef;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyDict;
import dev.brine.value.PyDiscarding;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyList;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import dev.brine.value.SharedForm;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The pickle machine: runs the opcodes of one pickle and returns the object on top of the stack at STOP. One
 * instance serves one load. Nothing it does executes code or loads a class: calls of globals it does not know
 * become inert {@link PyObject} nodes.
 *
 * <p>The stack is an array with a separate array of mark positions, as in {@code _pickle.c}; an opcode sees only
 * the items above the topmost mark ("the current stack" of {@code pickle.py}'s metastack). Where the C and the
 * pure-Python unpicklers differ, this follows the stricter: frames are checked as {@code pickle._Unpickler} checks
 * them, and argument parsing follows the Python builtins the pure-Python unpickler calls.
 */
public final class PickleMachine implements ReadChecks {
    private static final long NO_FRAME = Long.MAX_VALUE;
    private static final int HIGHEST_PROTOCOL = 5;

    private final ReadConfig config;
    private final PickleInput in;
    private final Iterator<?> buffers;

    /** The memo identity of the last dict or list made (see LoadedDict), from a random start for each load. */
    private int memoIdentity = ThreadLocalRandom.current().nextInt();
    private Object[] stack = new Object[32];
    private int sp;
    private int[] marks = new int[16];
    private int markCount;
    private final Memo memo = new Memo();
    /*
     * A run of ints or floats read right after a MARK, held unboxed until the APPENDS or LIST that takes it, so that
     * a list of numbers is filled without a box per item (see PyList's unboxed lists). While a run is open, nothing
     * is on the stack above the mark: the run is the rest of the stack. Any opcode but a number of the run's kind,
     * FRAME, APPENDS or LIST first moves the run onto the stack, boxed (flushRun), so that every other opcode sees
     * the stack it always saw.
     */
    private static final int NO_RUN = 0;
    private static final int LONG_RUN = 1;
    private static final int DOUBLE_RUN = 2;
    private int runKind;
    private int runLength;
    private long[] runLongs;
    private double[] runDoubles;
    /** Memo indices of nodes BUILD may still replace: a Long, or a List of them for a node PUT twice. */
    private IdentityHashMap<Object, Object> unfinished;
    /**
     * The result of the last call (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST) while it has not been memoized: a
     * state-setter call, or a discarded call written back without a memo entry, if POP discards it.
     */
    private Object unmemoizedReduce;
    /*
     * Which fetch of a node a GET pushed (a discarded call may follow the n-th fetch, not the node) is worked out
     * only when a discarded call needs it, which few streams have. Until then each GET appends the node to a log:
     * one array store, where counting per node would hash every fetched str and container (about a third of the
     * time of loading records). The first discarded call replays the log into per-node counts, and GET counts from
     * then on.
     */
    /** Every node GET fetched, in order, while {@link #fetches} is null; in pages, as the memo (see Memo). */
    private Object[][] fetchLog;
    private int fetchLogSize;
    /** How many times GET has fetched each node so far; null until a discarded call first asks. */
    private IdentityHashMap<Object, Integer> fetches;
    /**
     * For a stack slot a GET filled with a node: that node, and which fetch of it it was (while {@link #fetches} is
     * null: its 1-based position in {@link #fetchLog}). Stale entries never match the slot's value.
     */
    private Object[] fetchedNode;
    private int[] fetchedCount;
    /** Values POP discarded at the top level with nothing under them, before the result (see PyDiscarding). */
    private List<PyObject.Discarded> rootDiscarded;
    /** Values POP discarded above a value that is not a node (see PyDiscarding.anchored). */
    private List<PyDiscarding.Anchored> anchored;
    /** Calls POP discarded with no value of their own under them (see PyDiscarding.unplaced). */
    private List<PyObject.Discarded> unplaced;
    /**
     * Calls discarded outside nodes before this offset are not kept: the end of a recognised portable header, the
     * whole stream for one that only starts like a header, -1 otherwise.
     */
    private long portableHeaderEnd = -1;

    private int proto;
    /** Strict mode only: the stream began with a recognised portable header and classes are bound. */
    private boolean boundPortableBody;
    private long frameEnd = NO_FRAME;
    private long allocated;

    /** Where the current opcode starts, for errors. */
    private long opStart;
    private Opcode op;

    /**
     * The values of BININT1, boxed once: Long.valueOf shares only up to 127, so 128 to 255, common as counts and
     * byte values, would otherwise be a new object each time (CPython shares up to 256).
     */
    private static final Long[] SMALL_INTS = new Long[256];

    /**
     * By opcode byte: whether the opcode leaves an open run of numbers open (one more number, a frame, or the
     * APPENDS or LIST that takes the run); any other opcode moves the run onto the stack first.
     */
    private static final boolean[] CONTINUES_RUN = new boolean[256];

    static {
        for (int i = 0; i < SMALL_INTS.length; i++) {
            SMALL_INTS[i] = (long) i;
        }
        for (Opcode op : new Opcode[] {Opcode.BININT1, Opcode.BININT2, Opcode.BININT, Opcode.BINFLOAT,
                Opcode.APPENDS, Opcode.LIST, Opcode.FRAME}) {
            CONTINUES_RUN[op.code()] = true;
        }
    }

    public PickleMachine(ReadConfig config, PickleInput in, Iterable<?> buffers) {
        this.config = config;
        this.in = in;
        this.buffers = buffers == null ? null : buffers.iterator();
    }

    /** Runs the pickle to its STOP opcode and returns the result. */
    public Object load() throws IOException {
        if (!in.require(1)) {
            throw new PickleException("empty input: there is no pickle to read (CPython: 'Ran out of input')",
                    in.offset(), null);
        }
        if (config.strict()) {
            strictPortableHeader();
        } else if (PortableRuntime.startsLikeHeader(lookahead())) {
            // Brine's own portable header runs _pickle.loads(runtime) and POPs it: in Java that call is not a
            // discarded call of the stream's value (the Pickler writes a header again in portable mode). A stream
            // that starts like a header but is not recognised keeps the reading it always had (an altered header
            // reads as its value; StrictPortableHeaderTest): its discarded calls outside nodes are not kept either
            // (strict mode refuses such a stream). Not resolved: see docs/READING.md.
            PortableRuntime.Header header = PortableRuntime.recognize(lookahead());
            portableHeaderEnd = header == null ? Long.MAX_VALUE : in.offset() + header.length();
        }
        while (true) {
            opStart = in.offset();
            op = null;
            need(1, "an opcode");
            int code = in.buf[in.pos++] & 0xff;
            op = Opcode.of(code);
            if (op == null) {
                throw fail(String.format("invalid opcode byte 0x%02x", code));
            }
            if (runKind != NO_RUN && !CONTINUES_RUN[code]) {
                flushRun();
            }
            switch (op) {
                case PROTO -> loadProto();
                case FRAME -> frame();
                case STOP -> {
                    return stop();
                }

                case NONE -> push(null);
                case NEWTRUE -> push(Boolean.TRUE);
                case NEWFALSE -> push(Boolean.FALSE);

                case INT -> push(textInt());
                case BININT -> {
                    need(4, "a 4-byte integer");
                    int v = readInt4();
                    if (!runLong(v)) {
                        push((long) v);
                    }
                }
                case BININT1 -> {
                    need(1, "a 1-byte integer");
                    int v = in.buf[in.pos++] & 0xff;
                    if (!runLong(v)) {
                        push(SMALL_INTS[v]);
                    }
                }
                case BININT2 -> {
                    need(2, "a 2-byte integer");
                    int v = Wire.u16(in.buf, in.pos);
                    in.pos += 2;
                    if (!runLong(v)) {
                        push((long) v);
                    }
                }
                case LONG -> loadLong();
                case LONG1 -> loadLong1();
                case LONG4 -> loadLong4();

                case FLOAT -> loadFloat();
                case BINFLOAT -> loadBinFloat();

                case STRING -> push(python2String(quotedString()));
                case BINSTRING -> push(python2String(counted(readSignedLength4(), "BINSTRING")));
                case SHORT_BINSTRING -> push(python2String(counted(readLength1(), "SHORT_BINSTRING")));

                case BINBYTES -> push(bytes(readUnsignedLength4()));
                case SHORT_BINBYTES -> push(bytes(readLength1()));
                case BINBYTES8 -> push(bytes(readLength8()));
                case BYTEARRAY8 -> push(PyByteArray.wrap(counted(readLength8(), "bytearray")));
                case NEXT_BUFFER -> push(nextBuffer());
                case READONLY_BUFFER -> readOnlyBuffer();

                case UNICODE -> loadUnicode();
                case SHORT_BINUNICODE -> push(utf8(readLength1()));
                case BINUNICODE -> push(utf8(readUnsignedLength4()));
                case BINUNICODE8 -> push(utf8(readLength8()));

                case EMPTY_LIST -> push(new LoadedList(nextMemoIdentity()));
                case EMPTY_TUPLE -> push(PyTuple.empty());
                case EMPTY_DICT -> push(new LoadedDict(nextMemoIdentity()));
                case EMPTY_SET -> push(new LinkedHashSet<>());

                case APPEND -> loadAppend();
                case APPENDS -> appends();
                case LIST -> loadList();
                case TUPLE -> loadTuple();
                case TUPLE1, TUPLE2, TUPLE3 -> loadSmallTuple();

                case DICT -> loadDict();
                case SETITEM -> loadSetItem();
                case SETITEMS -> setItems();

                case ADDITEMS -> addItems();
                case FROZENSET -> loadFrozenSet();

                case POP -> loadPop();
                case DUP -> {
                    requireItems(1);
                    push(stack[sp - 1]);
                }
                case MARK -> pushMark();
                case POP_MARK -> loadPopMark();

                case GET -> loadGet();
                case BINGET -> {
                    need(1, "a memo index");
                    pushFetched(memoGet(in.buf[in.pos++] & 0xff));
                }
                case LONG_BINGET -> {
                    need(4, "a memo index");
                    pushFetched(memoGet(readInt4() & 0xffffffffL));
                }
                case PUT -> loadPut();
                case BINPUT -> {
                    need(1, "a memo index");
                    memoPut(in.buf[in.pos++] & 0xff);
                }
                case LONG_BINPUT -> {
                    need(4, "a memo index");
                    memoPut(readInt4() & 0xffffffffL);
                }
                case MEMOIZE -> memoPut(memo.size());

                case EXT1 -> {
                    need(1, "an extension code");
                    push(extension(in.buf[in.pos++] & 0xff));
                }
                case EXT2 -> {
                    need(2, "an extension code");
                    push(extension(Wire.u16(in.buf, in.pos)));
                    in.pos += 2;
                }
                case EXT4 -> {
                    need(4, "an extension code");
                    push(extension(readInt4()));
                }

                case GLOBAL -> loadGlobal();
                case STACK_GLOBAL -> loadStackGlobal();
                case REDUCE -> loadReduce();
                case BUILD -> loadBuild();
                case INST -> loadInst();
                case OBJ -> loadObj();
                case NEWOBJ -> loadNewObj();
                case NEWOBJ_EX -> loadNewObjEx();

                case PERSID -> loadPersId();
                case BINPERSID -> loadBinPersId();
                default -> throw new AssertionError("opcode without a handler: " + op);
            }
        }
    }

    // ---- One method per opcode that needs more than a line, named as pickle.py names them (load_xxx) ----------

    /** PROTO: the protocol the rest of the stream may use. */
    private void loadProto() throws IOException {
        need(1, "a protocol number");
        int p = in.buf[in.pos++] & 0xff;
        if (p > HIGHEST_PROTOCOL) {
            throw fail("unsupported pickle protocol: " + p);
        }
        proto = p;
    }

    /** LONG: a decimal literal line, with Python 2's trailing L. */
    private void loadLong() throws IOException {
        String line = asciiLine();
        if (line.endsWith("L")) {
            line = line.substring(0, line.length() - 1);
        }
        Number n = PyText.parseInt(line);
        if (n == null) {
            throw fail("invalid integer literal " + quote(line));
        }
        push(n);
    }

    /** LONG1: a two's complement integer of up to 255 bytes. */
    private void loadLong1() throws IOException {
        need(1, "a length");
        int length = in.buf[in.pos++] & 0xff;
        push(twosComplement(length));
    }

    /** LONG4: a two's complement integer with a signed 4-byte count. */
    private void loadLong4() throws IOException {
        need(4, "a length");
        int length = readInt4();
        if (length < 0) {
            throw fail("LONG4 has a negative byte count " + length);
        }
        push(twosComplement(length));
    }

    /** FLOAT: a float literal line. */
    private void loadFloat() throws IOException {
        String line = asciiLine();
        Double d = PyText.parseFloat(line);
        if (d == null) {
            throw fail("invalid float literal " + quote(line));
        }
        push(d);
    }

    /** BINFLOAT: a big-endian IEEE 754 double. */
    private void loadBinFloat() throws IOException {
        need(8, "an 8-byte float");
        double d = Double.longBitsToDouble(Wire.be64(in.buf, in.pos));
        in.pos += 8;
        if (runKind == DOUBLE_RUN || opensRun(DOUBLE_RUN)) {
            if (runLength == runDoubles.length) {
                runDoubles = Arrays.copyOf(runDoubles, growRun(runDoubles.length));
            }
            runDoubles[runLength++] = d;
            readDoubles();
        } else {
            push(d);
        }
    }

    /** UNICODE: a raw-unicode-escape line. */
    private void loadUnicode() throws IOException {
        int nl = lineEnd();
        String s;
        try {
            s = PyText.rawUnicodeEscapeDecode(in.buf, in.pos, nl);
        } catch (IllegalArgumentException e) {
            throw fail("cannot decode UNICODE argument: " + e.getMessage());
        }
        in.pos = nl + 1;
        push(s);
    }

    /** APPEND: one item onto the list (or list-like object) below it. */
    private void loadAppend() throws IOException {
        requireItems(2);
        Object item = stack[--sp];
        append(stack[sp - 1], item);
    }

    /** LIST: the items above the mark as a new list. */
    private void loadList() throws IOException {
        int mark = popMark();
        if (runKind != NO_RUN) {
            PyList list = new LoadedList(nextMemoIdentity());
            account(8L * runLength);
            takeRun(list);
            push(list);
            return;
        }
        account(8L * (sp - mark));
        // Straight from the stack: addAll through a subList view copies the items twice more, which a million
        // nested lists turn into 190 MB (AdversarialInputTest.aMillionNestedLists).
        PyList list = new LoadedList(nextMemoIdentity(), sp - mark);
        list.appendAll(stack, mark, sp);
        clearTo(mark);
        push(list);
    }

    /** TUPLE: the items above the mark as a tuple. */
    private void loadTuple() throws IOException {
        int mark = popMark();
        account(8L * (sp - mark));
        Object[] items = Arrays.copyOfRange(stack, mark, sp);
        clearTo(mark);
        push(tuple(items));
    }

    /** TUPLE1, TUPLE2, TUPLE3: the top one to three items as a tuple. */
    private void loadSmallTuple() throws IOException {
        int n = op == Opcode.TUPLE1 ? 1 : op == Opcode.TUPLE2 ? 2 : 3;
        requireItems(n);
        Object[] items = Arrays.copyOfRange(stack, sp - n, sp);
        clearTo(sp - n);
        push(tuple(items));
    }

    /** DICT: the key-value pairs above the mark as a new dict. */
    private void loadDict() throws IOException {
        int mark = popMark();
        if (((sp - mark) & 1) != 0) {
            throw fail("odd number of items for DICT");
        }
        account(8L * (sp - mark));
        PyDict dict = new LoadedDict(nextMemoIdentity());
        for (int i = mark; i < sp; i += 2) {
            checkHashable(stack[i]);
        }
        dict.putPairs(stack, mark, sp);
        clearTo(mark);
        push(dict);
    }

    /** SETITEM: one key-value pair into the dict (or dict-like object) below it. */
    private void loadSetItem() throws IOException {
        requireItems(3);
        Object value = stack[sp - 1];
        Object key = stack[sp - 2];
        sp -= 2;
        stack[sp] = null;
        stack[sp + 1] = null;
        setItem(stack[sp - 1], key, value);
    }

    /** FROZENSET: the items above the mark as a frozenset. */
    private void loadFrozenSet() throws IOException {
        int mark = popMark();
        account(8L * (sp - mark));
        List<Object> items = Arrays.asList(Arrays.copyOfRange(stack, mark, sp));
        for (Object item : items) {
            checkHashable(item);
        }
        clearTo(mark);
        push(checkNesting(PyFrozenSet.copyOf(items)));
    }

    /** POP: discards the top item, keeping a discarded call; or, with nothing above the mark, the mark itself. */
    private void loadPop() throws IOException {
        if (sp > markBase()) {
            Object popped = stack[sp - 1];
            if (!recordStateSetter(popped)) {
                recordDiscarded(popped, sp - 2 >= markBase() ? stack[sp - 2] : null, sp - 2 >= markBase());
            }
            stack[--sp] = null;
        } else if (markCount > 0) {
            // As pickle.py's load_pop: with nothing above the mark, POP discards the mark.
            markCount--;
        } else {
            throw fail("stack underflow: nothing to pop");
        }
    }

    /** POP_MARK: discards everything above the mark, and the mark. */
    private void loadPopMark() throws IOException {
        int mark = popMark();
        clearTo(mark);
    }

    /** GET: a memo fetch by a decimal line. */
    private void loadGet() throws IOException {
        Number n = PyText.parseDecimal(asciiLine());
        if (n == null) {
            throw fail("invalid memo index");
        }
        pushFetched(memoGet(n instanceof Long ? (Long) n : -1));
    }

    /** PUT: memoizes the top item under a decimal line. */
    private void loadPut() throws IOException {
        Number n = PyText.parseDecimal(asciiLine());
        if (n == null) {
            throw fail("invalid memo index");
        }
        if (n instanceof BigInteger || (Long) n < 0) {
            throw fail(n.toString().startsWith("-") ? "negative PUT argument" : "PUT index " + n + " is too large");
        }
        memoPut((Long) n);
    }

    /** GLOBAL: a module line and a name line, as an inert reference. */
    private void loadGlobal() throws IOException {
        String module = utf8Line();
        String name = utf8Line();
        push(global(module, name));
    }

    /** STACK_GLOBAL: the module and name strings on the stack, as an inert reference. */
    private void loadStackGlobal() throws IOException {
        requireItems(2);
        Object name = stack[sp - 1];
        Object module = stack[sp - 2];
        if (!(module instanceof String) || !(name instanceof String)) {
            throw fail("STACK_GLOBAL requires str module and name, found " + PyRepr.typeName(module)
                    + " and " + PyRepr.typeName(name));
        }
        clearTo(sp - 2);
        push(global((String) module, (String) name));
    }

    /** REDUCE: a call of the callable below with the argument tuple on top: a known global's value, or a node. */
    private void loadReduce() throws IOException {
        requireItems(2);
        Object args = stack[sp - 1];
        Object callable = stack[sp - 2];
        if (!(args instanceof PyTuple)) {
            throw fail("REDUCE arguments must be a tuple, found " + PyRepr.typeName(args));
        }
        checkCallable(callable, "REDUCE");
        checkStrictAttribute(callable, (PyTuple) args);
        checkStrictCall(callable, "REDUCE");
        clearTo(sp - 2);
        push(call(callable, (PyTuple) args));
        unmemoizedReduce = stack[sp - 1];
    }

    /** BUILD: state onto the object below it: a known value finished, or the state kept on the node. */
    private void loadBuild() throws IOException {
        requireItems(2);
        Object state = stack[sp - 1];
        Object target = stack[sp - 2];
        if (!(target instanceof PyObject)) {
            if (!KnownGlobals.buildValue(target, state)) {
                throw fail("BUILD cannot set state on " + PyRepr.typeName(target));
            }
            stack[--sp] = null;
            return;
        }
        Object finished = KnownGlobals.build((PyObject) target, state);
        if (finished == KnownGlobals.NOT_HANDLED) {
            ((PyObject) target).addState(state);
            if (config.format() != null) {
                stack[--sp] = null;
                afterBuild((PyObject) target);
                return;
            }
        } else {
            if (finished instanceof SharedForm) {
                PyObject node = (PyObject) target;
                ((SharedForm) finished).keepReadForm(
                        SharedForms.keptForm(node.kind(), node.callable(), node.args(), state, true));
            }
            replaceUnfinished(target, finished);
            stack[sp - 2] = finished;
        }
        stack[--sp] = null;
    }

    /** INST: a class named by two lines, instantiated with the items above the mark. */
    private void loadInst() throws IOException {
        String module = utf8Line();
        String name = utf8Line();
        GlobalRef cls = global(module, name);
        int mark = popMark();
        Object[] args = Arrays.copyOfRange(stack, mark, sp);
        clearTo(mark);
        PyTuple argTuple = tuple(args);
        checkStrictAttribute(cls, argTuple);
        checkStrictCall(cls, "INST");
        push(new PyObject(PyObject.Kind.INST, cls, argTuple, null));
        unmemoizedReduce = stack[sp - 1];
    }

    /** OBJ: the class just above the mark, instantiated with the items above it. */
    private void loadObj() throws IOException {
        int mark = popMark();
        if (sp == mark) {
            throw fail("OBJ needs a class above the mark");
        }
        Object cls = stack[mark];
        checkCallable(cls, "OBJ");
        Object[] args = Arrays.copyOfRange(stack, mark + 1, sp);
        clearTo(mark);
        PyTuple argTuple = tuple(args);
        checkStrictAttribute(cls, argTuple);
        checkStrictCall(cls, "OBJ");
        push(new PyObject(PyObject.Kind.OBJ, cls, argTuple, null));
        unmemoizedReduce = stack[sp - 1];
    }

    /** NEWOBJ: {@code cls.__new__(cls, *args)} as a node. */
    private void loadNewObj() throws IOException {
        requireItems(2);
        Object args = stack[sp - 1];
        Object cls = stack[sp - 2];
        checkClass(cls, "NEWOBJ");
        if (!(args instanceof PyTuple)) {
            throw fail("NEWOBJ arguments must be a tuple, found " + PyRepr.typeName(args));
        }
        clearTo(sp - 2);
        push(new PyObject(PyObject.Kind.NEWOBJ, cls, (PyTuple) args, null));
        unmemoizedReduce = stack[sp - 1];
    }

    /** NEWOBJ_EX: {@code cls.__new__(cls, *args, **kwargs)} as a node. */
    private void loadNewObjEx() throws IOException {
        requireItems(3);
        Object kwargs = stack[sp - 1];
        Object args = stack[sp - 2];
        Object cls = stack[sp - 3];
        checkClass(cls, "NEWOBJ_EX");
        if (!(args instanceof PyTuple)) {
            throw fail("NEWOBJ_EX arguments must be a tuple, found " + PyRepr.typeName(args));
        }
        if (!(kwargs instanceof Map)) {
            throw fail("NEWOBJ_EX keyword arguments must be a dict, found " + PyRepr.typeName(kwargs));
        }
        clearTo(sp - 3);
        @SuppressWarnings("unchecked")
        Map<Object, Object> kw = (Map<Object, Object>) kwargs;
        push(new PyObject(PyObject.Kind.NEWOBJ_EX, cls, (PyTuple) args, kw));
        unmemoizedReduce = stack[sp - 1];
    }

    /** PERSID: a persistent ID line, resolved by the caller's persistent loader or kept as a reference. */
    private void loadPersId() throws IOException {
        int nl = lineEnd();
        for (int i = in.pos; i < nl; i++) {
            if (in.buf[i] < 0) {
                throw fail("persistent IDs in protocol 0 must be ASCII strings");
            }
        }
        String pid = new String(in.buf, in.pos, nl - in.pos, StandardCharsets.US_ASCII);
        in.pos = nl + 1;
        push(persistentLoad(pid));
    }

    /** BINPERSID: the persistent ID on the stack, resolved as PERSID's. */
    private void loadBinPersId() throws IOException {
        requireItems(1);
        Object pid = stack[--sp];
        stack[sp] = null;
        push(persistentLoad(pid));
    }

    // ---- Errors ----------------------------------------------------------------------------------------------

    private PickleException fail(String problem) {
        return new PickleException(problem, opStart, op == null ? null : op.name());
    }

    private PickleException fail(String problem, Throwable cause) {
        return new PickleException(problem, opStart, op == null ? null : op.name(), null, cause);
    }

    private PickleLimitException limit(String name, long value, String problem) {
        return new PickleLimitException(name, value, problem, opStart, op == null ? null : op.name());
    }

    private static String quote(String s) {
        return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
    }

    // ---- Reading arguments ------------------------------------------------------------------------------------

    /**
     * Makes {@code n} bytes available for the current opcode, enforcing frames as {@code pickle._Unpickler}'s
     * frame reader does: reading may end exactly at a frame's end (the frame is then done), but not cross it.
     */
    private void need(int n, String what) throws IOException {
        if (in.offset() + n > frameEnd) {
            crossFrame(n);
        }
        if (!in.require(n)) {
            throw truncated(what, n);
        }
    }

    private void crossFrame(long n) {
        long at = in.offset();
        if (at == frameEnd) {
            frameEnd = NO_FRAME;
            return;
        }
        throw fail("pickle exhausted before end of frame: " + n + " bytes needed at offset " + at
                + " but the frame ends at offset " + frameEnd);
    }

    /**
     * Whether {@code n} bytes sit in the buffer, reading ahead only for a short argument. A long one is left to
     * {@link PickleInput#readBytes(long)}, which grows with the bytes that arrive: asking the stream to buffer a
     * declared length would allocate it first (fuzz finding: a 62-byte LONG4 claiming 1.7 GB, see
     * {@code dev.brine.security.FuzzLong4DeclaredLengthTest}).
     */
    private boolean buffered(int n) throws IOException {
        return n <= 64 * 1024 ? in.require(n) : in.limit - in.pos >= n;
    }

    private PickleException truncated(String what, long n) {
        return fail("pickle data was truncated: " + what + " needs " + n + " bytes, "
                + Math.max(0, in.limit - in.pos) + " left" + (in.isStream() ? " in the stream" : ""));
    }

    private int readInt4() {
        int p = in.pos;
        in.pos = p + 4;
        return Wire.s32(in.buf, p);
    }

    private long readLength1() throws IOException {
        need(1, "a length");
        return in.buf[in.pos++] & 0xff;
    }

    private long readUnsignedLength4() throws IOException {
        need(4, "a length");
        return readInt4() & 0xffffffffL;
    }

    /** BINSTRING's length is signed, as CPython reads it. */
    private long readSignedLength4() throws IOException {
        need(4, "a length");
        int n = readInt4();
        if (n < 0) {
            throw fail("BINSTRING pickle has negative byte count");
        }
        return n;
    }

    private long readLength8() throws IOException {
        need(8, "a length");
        long n = Wire.s64(in.buf, in.pos);
        in.pos += 8;
        if (n < 0) {
            throw fail("declared length " + Long.toUnsignedString(n) + " exceeds the largest supported size");
        }
        return n;
    }

    /**
     * Reads a counted payload. The declared length is checked against what is left before anything is allocated
     * for it, and against the frame.
     */
    private byte[] counted(long length, String what) throws IOException {
        checkPayload(length, what);
        byte[] data = in.readBytes(length);
        if (data == null) {
            throw truncated(what, length);
        }
        return data;
    }

    /** A bytes payload: a view of the input array in zero-copy mode (never of a stream's reused buffer), else a copy. */
    private PyBytes bytes(long length) throws IOException {
        if (config.zeroCopy() && !in.isStream()) {
            checkPayload(length, "bytes");
            PyBytes view = PyBytes.wrap(in.buf, in.pos, (int) length);
            in.pos += (int) length;
            return view;
        }
        return PyBytes.wrap(counted(length, "bytes"));
    }

    private void checkPayload(long length, String what) {
        if (!in.isStream() && in.limit - in.pos < length) {
            throw fail("pickle data was truncated: " + what + " declares " + length + " bytes but only "
                    + (in.limit - in.pos) + " remain");
        }
        if (frameEnd != NO_FRAME && length > frameEnd - in.offset()) {
            crossFrame(length);
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw fail(what + " declares " + length + " bytes, more than a Java array holds");
        }
        account(length);
    }

    private String utf8(long length) throws IOException {
        checkPayload(length, "str");
        int n = (int) length;
        String s;
        if (buffered(n)) {
            s = PyText.decodeUtf8(in.buf, in.pos, n);
            in.pos += n;
        } else {
            byte[] data = in.readBytes(length);
            if (data == null) {
                throw truncated("str", length);
            }
            s = PyText.decodeUtf8(data, 0, n);
        }
        if (s == null) {
            throw fail("str argument is not valid UTF-8");
        }
        return s;
    }

    /** Finds the end of a newline-terminated argument; {@link PickleInput#pos} stays at its start. */
    private int lineEnd() throws IOException {
        int nl = in.findNewline(Math.min(config.maxBytes(), Integer.MAX_VALUE - 8));
        if (nl < 0) {
            throw fail("pickle data was truncated: no newline ends the " + op.name() + " argument");
        }
        if (in.offset() + (nl - in.pos) + 1 > frameEnd) {
            crossFrame((nl - in.pos) + 1L);
        }
        account(nl - in.pos);
        return nl;
    }

    private String asciiLine() throws IOException {
        int nl = lineEnd();
        String s = new String(in.buf, in.pos, nl - in.pos, StandardCharsets.ISO_8859_1);
        in.pos = nl + 1;
        return s;
    }

    private String utf8Line() throws IOException {
        int nl = lineEnd();
        String s = PyText.decodeUtf8(in.buf, in.pos, nl - in.pos);
        if (s == null) {
            throw fail("global name is not valid UTF-8");
        }
        in.pos = nl + 1;
        return s;
    }

    private Object textInt() throws IOException {
        String line = asciiLine();
        // Protocol 0 writes bools as INT 00 and 01.
        if (line.equals("00")) {
            return Boolean.FALSE;
        }
        if (line.equals("01")) {
            return Boolean.TRUE;
        }
        Number n = PyText.parseInt(line);
        if (n == null) {
            throw fail("invalid integer literal " + quote(line));
        }
        return n;
    }

    /** A little-endian two's complement integer, as LONG1 and LONG4 carry. */
    private Number twosComplement(int length) throws IOException {
        checkPayload(length, "integer");
        if (length == 0) {
            return 0L;
        }
        if (buffered(length)) {
            Number value = Wire.decodeLong(in.buf, in.pos, length);
            in.pos += length;
            return value;
        }
        byte[] le = in.readBytes(length);
        if (le == null) {
            throw truncated("integer", length);
        }
        return Wire.decodeLong(le, 0, length);
    }

    /** STRING's argument: a quoted, escaped literal, as {@code pickle.py}'s load_string. */
    private byte[] quotedString() throws IOException {
        int nl = lineEnd();
        int start = in.pos;
        int len = nl - start;
        in.pos = nl + 1;
        byte first = len > 0 ? in.buf[start] : 0;
        if (len < 2 || (first != '"' && first != '\'') || in.buf[nl - 1] != first) {
            throw fail("the STRING opcode argument must be quoted");
        }
        try {
            return PyText.escapeDecode(in.buf, start + 1, nl - 1);
        } catch (IllegalArgumentException e) {
            throw fail("cannot decode STRING argument: " + e.getMessage());
        }
    }

    /** Decodes a Python 2 str per the configured encoding, or keeps it as bytes. */
    private Object python2String(byte[] data) {
        if (config.charset() == null) {
            return PyBytes.wrap(data);
        }
        try {
            return config.charset().newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            throw fail("cannot decode a Python 2 str as " + config.charset().name()
                    + "; read it with Unpickler.builder().encoding(\"latin1\") or .encoding(\"bytes\")", e);
        }
    }

    // ---- Frames, STOP ------------------------------------------------------------------------------------------

    private void frame() throws IOException {
        need(8, "a frame length");
        long size = 0;
        for (int i = 7; i >= 0; i--) {
            size = (size << 8) | (in.buf[in.pos + i] & 0xff);
        }
        in.pos += 8;
        if (frameEnd != NO_FRAME && in.offset() != frameEnd) {
            throw fail("beginning of a new frame before end of current frame");
        }
        if (size < 0) {
            throw fail("frame size > sys.maxsize: " + Long.toUnsignedString(size));
        }
        frameEnd = in.offset() + size;
        if (frameEnd < 0) {
            frameEnd = NO_FRAME - 1;
        }
        // A non-markable stream reads the frame in one call, as CPython does.
        in.prefetch((int) Math.min(size, 1 << 20));
    }

    private Object stop() throws IOException {
        if (sp <= markBase()) {
            throw fail("stack underflow: STOP found no object to return");
        }
        Object result = stack[--sp];
        if ((rootDiscarded != null || anchored != null || unplaced != null) && sp == 0 && markCount == 0) {
            result = new PyDiscarding(rootDiscarded == null ? List.of() : rootDiscarded, result,
                    anchored == null ? List.of() : anchored, unplaced == null ? List.of() : unplaced);
        }
        if (frameEnd != NO_FRAME) {
            // CPython reads a frame whole, so the rest of the frame that holds STOP is consumed with it.
            in.skip(frameEnd - in.offset());
        }
        return result;
    }

    private int nextMemoIdentity() {
        return memoIdentity = MemoIdentity.next(memoIdentity);
    }

    // ---- Stack and marks ------------------------------------------------------------------------------------------

    /**
     * Pushes what GET fetched; for a node, notes which fetch of it this is, so a call discarded right after it is
     * kept at this fetch rather than after the node's creation.
     */
    private void pushFetched(Object value) {
        push(value);
        if (value instanceof PyObject || placeable(value)) {
            int n;
            if (fetches != null) {
                n = fetches.merge(value, 1, Integer::sum);
            } else {
                int page = fetchLogSize / Memo.PAGE;
                if (fetchLog == null || page == fetchLog.length || fetchLog[page] == null
                        || fetchLogSize % Memo.PAGE == fetchLog[page].length) {
                    growFetchLog(page);
                }
                fetchLog[page][fetchLogSize++ % Memo.PAGE] = value;
                n = fetchLogSize;
            }
            if (fetchedNode == null || fetchedNode.length < stack.length) {
                fetchedNode = fetchedNode == null ? new Object[stack.length] : Arrays.copyOf(fetchedNode, stack.length);
                fetchedCount = fetchedCount == null ? new int[stack.length] : Arrays.copyOf(fetchedCount, stack.length);
            }
            fetchedNode[sp - 1] = value;
            fetchedCount[sp - 1] = n;
        }
    }

    private void growFetchLog(int page) {
        if (fetchLogSize == Integer.MAX_VALUE) {
            throw limit("maxBytes", config.maxBytes(), "the pickle fetches from the memo 2^31 times");
        }
        if (fetchLog == null) {
            // A short first page, which doubles to a full one: most pickles fetch a few nodes, if any.
            fetchLog = new Object[16][];
            fetchLog[0] = new Object[16];
            account(8L * 16);
            return;
        }
        if (page == fetchLog.length) {
            fetchLog = Arrays.copyOf(fetchLog, 2 * fetchLog.length);
        }
        Object[] current = fetchLog[page];
        int length = current == null ? Memo.PAGE : Math.min(Memo.PAGE, 2 * current.length);
        account(8L * (length - (current == null ? 0 : current.length)));
        fetchLog[page] = current == null ? new Object[length] : Arrays.copyOf(current, length);
    }

    /** Replays the fetch log into per-node counts and turns the stack's log positions into fetch counts. */
    private void countFetches() {
        fetches = new IdentityHashMap<>();
        int[] nth = new int[fetchLogSize];
        for (int i = 0; i < fetchLogSize; i++) {
            nth[i] = fetches.merge(fetchLog[i / Memo.PAGE][i % Memo.PAGE], 1, Integer::sum);
        }
        if (fetchedNode != null) {
            for (int slot = 0; slot < fetchedNode.length; slot++) {
                if (fetchedNode[slot] != null) {
                    fetchedCount[slot] = nth[fetchedCount[slot] - 1];
                }
            }
        }
        fetchLog = null;
        fetchLogSize = 0;
    }

    private void push(Object value) {
        if (sp == stack.length) {
            growStack();
        }
        stack[sp++] = value;
    }

    private void growStack() {
        if ((long) sp + markCount >= config.maxStackDepth()) {
            throw limit("maxStackDepth", config.maxStackDepth(), "the stack holds " + sp + " items and "
                    + markCount + " marks");
        }
        account(8L * stack.length);
        stack = Arrays.copyOf(stack, (int) Math.min((long) stack.length * 2, Integer.MAX_VALUE - 8));
    }

    /** Adds an int to the open run of ints, opening one if it can; false if the int goes on the stack instead. */
    private boolean runLong(int v) {
        if (runKind != LONG_RUN && !opensRun(LONG_RUN)) {
            return false;
        }
        if (runLength == runLongs.length) {
            runLongs = Arrays.copyOf(runLongs, growRun(runLongs.length));
        }
        runLongs[runLength++] = v;
        readLongs();
        return true;
    }

    private static final int BININT1 = Opcode.BININT1.code();
    private static final int BININT2 = Opcode.BININT2.code();
    private static final int BININT = Opcode.BININT.code();
    private static final int BINFLOAT = Opcode.BINFLOAT.code();

    /**
     * Reads the ints that follow straight into the open run, without a turn of the opcode loop each, while the next
     * opcode is BININT1, BININT2 or BININT and lies whole within the bytes buffered and the frame. Whatever stops
     * it (another opcode, the edge of the buffer or of the frame) is left to the loop, which checks it as always.
     */
    private void readLongs() {
        byte[] b = in.buf;
        int p = in.pos;
        int end = readableEnd();
        long[] run = runLongs;
        int n = runLength;
        while (p < end) {
            int code = b[p] & 0xff;
            int length = code == BININT1 ? 2 : code == BININT2 ? 3 : code == BININT ? 5 : 0;
            if (length == 0 || p + length > end) {
                break;
            }
            if (n == run.length) {
                runAt(p, code, n);
                run = runLongs = Arrays.copyOf(run, growRun(run.length));
            }
            run[n++] = length == 2 ? b[p + 1] & 0xff : length == 3 ? Wire.u16(b, p + 1) : Wire.s32(b, p + 1);
            p += length;
        }
        in.pos = p;
        runLength = n;
    }

    /** As {@link #readLongs}, for a run of floats: BINFLOAT after BINFLOAT. */
    private void readDoubles() {
        byte[] b = in.buf;
        int p = in.pos;
        int end = readableEnd();
        double[] run = runDoubles;
        int n = runLength;
        while (p + 9 <= end && (b[p] & 0xff) == BINFLOAT) {
            if (n == run.length) {
                runAt(p, BINFLOAT, n);
                run = runDoubles = Arrays.copyOf(run, growRun(run.length));
            }
            run[n++] = Double.longBitsToDouble(Wire.be64(b, p + 1));
            p += 9;
        }
        in.pos = p;
        runLength = n;
    }

    /** Where {@link #readLongs} or {@link #readDoubles} is, for a limit it may hit there: the opcode at {@code p}. */
    private void runAt(int p, int code, int n) {
        in.pos = p;
        opStart = in.offset();
        op = Opcode.of(code);
        runLength = n;
    }

    /** The end in {@code in.buf} of the bytes that may be read now: those buffered, and none past the frame. */
    private int readableEnd() {
        int end = in.limit;
        if (frameEnd != NO_FRAME) {
            long left = frameEnd - in.offset();
            if (left < (long) end - in.pos) {
                end = in.pos + (int) Math.max(0, left);
            }
        }
        return end;
    }

    /**
     * Opens a run of {@code kind} if the stack's top is a mark (after moving a run of the other kind onto the
     * stack, which leaves the top above the mark); false if no run opens.
     */
    private boolean opensRun(int kind) {
        if (runKind != NO_RUN) {
            flushRun();
            return false;
        }
        if (markCount == 0 || marks[markCount - 1] != sp) {
            return false;
        }
        if (kind == LONG_RUN && runLongs == null) {
            runLongs = new long[16];
        } else if (kind == DOUBLE_RUN && runDoubles == null) {
            runDoubles = new double[16];
        }
        runKind = kind;
        return true;
    }

    /** The next length of a run's array of {@code length}, checked as a stack that long would be. */
    private int growRun(int length) {
        if ((long) sp + runLength + markCount >= config.maxStackDepth()) {
            throw limit("maxStackDepth", config.maxStackDepth(), "the stack holds " + ((long) sp + runLength)
                    + " items and " + markCount + " marks");
        }
        account(8L * length);
        return (int) Math.min(2L * length, Integer.MAX_VALUE - 8);
    }

    /** Moves the open run onto the stack, boxed, as the opcodes that read it would have pushed it; closes the run. */
    private void flushRun() {
        int kind = runKind;
        int n = runLength;
        runKind = NO_RUN;
        runLength = 0;
        for (int i = 0; i < n; i++) {
            if (kind == LONG_RUN) {
                long v = runLongs[i];
                push(v >= 0 && v < SMALL_INTS.length ? SMALL_INTS[(int) v] : Long.valueOf(v));
            } else {
                push(runDoubles[i]);
            }
        }
    }

    /** Appends the open run to {@code list}, unboxed where the list allows it (see PyList), and closes the run. */
    private void takeRun(PyList list) {
        if (runKind == LONG_RUN) {
            list.appendLongs(runLongs, 0, runLength);
        } else {
            list.appendDoubles(runDoubles, 0, runLength);
        }
        runKind = NO_RUN;
        runLength = 0;
    }

    private void pushMark() {
        if (markCount == marks.length) {
            if ((long) sp + markCount >= config.maxStackDepth()) {
                throw limit("maxStackDepth", config.maxStackDepth(), "the stack holds " + sp + " items and "
                        + markCount + " marks");
            }
            account(4L * marks.length);
            marks = Arrays.copyOf(marks, marks.length * 2);
        }
        marks[markCount++] = sp;
    }

    private int markBase() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private int popMark() {
        if (markCount == 0) {
            throw fail("could not find MARK");
        }
        return marks[--markCount];
    }

    /** Fails unless {@code n} items sit above the topmost mark. */
    private void requireItems(int n) {
        int available = sp - markBase();
        if (available < n) {
            throw fail("stack underflow: " + op.name() + " needs " + n + " item" + (n == 1 ? "" : "s")
                    + (markCount > 0 ? " above the mark" : "") + ", found " + available);
        }
    }

    private void clearTo(int newSp) {
        Arrays.fill(stack, newSp, sp, null);
        sp = newSp;
    }

    // ---- Containers -------------------------------------------------------------------------------------------------

    private PyTuple tuple(Object[] items) {
        return checkNesting(LoadedTuples.wrap(items, nextMemoIdentity()));
    }

    /** Bounds how deeply tuples and frozensets nest, since hashing and comparing them recurse. */
    @Override
    public <T> T checkNesting(T value) {
        int depth = value instanceof PyTuple ? ((PyTuple) value).depth() : ((PyFrozenSet) value).depth();
        if (depth > config.maxNesting()) {
            throw limit("maxNesting", config.maxNesting(), "tuples or frozensets nest " + depth + " deep");
        }
        return value;
    }

    /** Dict keys and set items must be hashable, as in Python; so Java never hashes a mutable container. */
    @Override
    public void checkHashable(Object key) {
        if (key == null || isHashableAtom(key.getClass())) {
            // The common keys, by exact class: a failing instanceof against an interface scans the class's
            // interfaces, five checks of it cost more than storing the key.
            return;
        }
        if (key instanceof List && !(key instanceof PyTuple) || key instanceof Map
                || key instanceof Set && !(key instanceof PyFrozenSet) || key instanceof byte[]
                || key instanceof PyByteArray) {
            throw fail("unhashable type: '" + PyRepr.typeName(key) + "'");
        }
        if (key instanceof PyTuple && !((PyTuple) key).isHashable()) {
            throw fail("unhashable type: a tuple that holds a list, dict, set or bytearray");
        }
    }

    private static boolean isHashableAtom(Class<?> c) {
        return c == String.class || c == Long.class || c == Double.class || c == Boolean.class || c == PyBytes.class
                || c == GlobalRef.class || c == BigInteger.class;
    }

    private void append(Object target, Object item) {
        if (target instanceof PyList) {
            ((PyList) target).add(item);
        } else if (target instanceof ArrayList) {                // a PyDeque
            @SuppressWarnings("unchecked")
            ArrayList<Object> list = (ArrayList<Object>) target;
            list.add(item);
        } else if (target instanceof PyObject) {
            ((PyObject) target).appendItem(item);
        } else {
            throw fail("cannot append to " + PyRepr.typeName(target));
        }
    }

    private void appends() {
        int mark = popMark();
        if (mark <= markBase()) {
            throw fail("stack underflow: APPENDS needs a list below the mark");
        }
        Object target = stack[mark - 1];
        if (runKind != NO_RUN) {
            if (target instanceof PyList) {
                account(8L * runLength);
                takeRun((PyList) target);
                return;
            }
            flushRun();                                         // a deque or an object: its own append, boxed
        }
        account(8L * (sp - mark));
        if (target instanceof PyList) {
            ((PyList) target).appendAll(stack, mark, sp);      // one copy from the stack per page
        } else if (target instanceof ArrayList) {               // a PyDeque
            @SuppressWarnings("unchecked")
            ArrayList<Object> list = (ArrayList<Object>) target;
            list.ensureCapacity(list.size() + sp - mark);
            for (int i = mark; i < sp; i++) {
                list.add(stack[i]);
            }
        } else if (target instanceof PyObject) {
            for (int i = mark; i < sp; i++) {
                ((PyObject) target).appendItem(stack[i]);
            }
        } else {
            throw fail("cannot extend " + PyRepr.typeName(target));
        }
        clearTo(mark);
    }

    private void setItem(Object target, Object key, Object value) {
        checkHashable(key);
        if (target instanceof PyDict) {
            ((PyDict) target).put(key, value);
        } else if (target instanceof LinkedHashMap) {             // the collections module's dicts
            @SuppressWarnings("unchecked")
            Map<Object, Object> dict = (Map<Object, Object>) target;
            dict.put(key, value);
        } else if (target instanceof PyObject) {
            ((PyObject) target).putItem(key, value);
        } else {
            throw fail("cannot set an item on " + PyRepr.typeName(target));
        }
    }

    private void setItems() {
        int mark = popMark();
        if (mark <= markBase()) {
            throw fail("stack underflow: SETITEMS needs a dict below the mark");
        }
        if (((sp - mark) & 1) != 0) {
            throw fail("odd number of items for SETITEMS");
        }
        Object target = stack[mark - 1];
        account(8L * (sp - mark));
        if (target instanceof PyDict) {
            for (int i = mark; i < sp; i += 2) {
                checkHashable(stack[i]);
            }
            ((PyDict) target).putPairs(stack, mark, sp);    // room made once for the batch
        } else {
            for (int i = mark; i < sp; i += 2) {
                setItem(target, stack[i], stack[i + 1]);
            }
        }
        clearTo(mark);
    }

    private void addItems() {
        int mark = popMark();
        if (mark <= markBase()) {
            throw fail("stack underflow: ADDITEMS needs a set below the mark");
        }
        Object target = stack[mark - 1];
        account(8L * (sp - mark));
        for (int i = mark; i < sp; i++) {
            checkHashable(stack[i]);
            if (target instanceof LinkedHashSet) {
                @SuppressWarnings("unchecked")
                Set<Object> set = (Set<Object>) target;
                set.add(stack[i]);
            } else if (target instanceof PyObject) {
                ((PyObject) target).addSetItem(stack[i]);
            } else {
                throw fail("cannot add items to " + PyRepr.typeName(target));
            }
        }
        clearTo(mark);
    }

    // ---- Memo -------------------------------------------------------------------------------------------------------

    private Object memoGet(long index) {
        if (index < 0 || !memo.contains(index)) {
            throw fail("memo has no entry " + index);
        }
        return memo.get(index);
    }

    private void memoPut(long index) {
        requireItems(1);
        Object value = stack[sp - 1];
        if (!memo.append(index, value, config.maxMemoEntries())) {
            if (!memo.contains(index) && memo.size() >= config.maxMemoEntries()) {
                throw limit("maxMemoEntries", config.maxMemoEntries(), "the memo is full");
            }
            memo.put(index, value);
        }
        if (value == unmemoizedReduce) {
            unmemoizedReduce = null;
        }
        // Only a node can be finished at BUILD; the instanceof also keeps a pickle without globals from loading
        // the registry of known globals at all, which matters for the first load in a fresh JVM.
        if (value instanceof PyObject && KnownGlobals.finishesAtBuild(value)) {
            if (unfinished == null) {
                unfinished = new IdentityHashMap<>();
            }
            Object known = unfinished.get(value);
            if (known == null) {
                unfinished.put(value, index);
            } else {
                List<Object> all = known instanceof List ? castList(known) : new ArrayList<>(List.of(known));
                all.add(index);
                unfinished.put(value, all);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object o) {
        return (List<Object>) o;
    }

    // ---- Globals, calls, objects ------------------------------------------------------------------------------------

    /** Names a global as CPython's find_class would look it up, without looking anything up. */
    private GlobalRef global(String module, String name) {
        if (module.isEmpty() || name.isEmpty()) {
            // _pickle.c treats an empty GLOBAL line as truncated data, and an empty module name cannot be imported.
            throw fail("empty " + (module.isEmpty() ? "module" : "global") + " name in " + module + "." + name);
        }
        if (proto < 3 && config.fixImports()) {
            String[] renamed = CompatNames.fixImports(module, name);
            module = renamed[0];
            name = renamed[1];
        }
        if (name.indexOf('.') >= 0) {
            // find_class walks dotted names only at protocol 4 and up; below that getattr fails on the dot.
            if (proto < 4) {
                throw fail("cannot resolve dotted name " + module + "." + name + " below protocol 4 (this pickle "
                        + "declares protocol " + proto + "), as in CPython");
            }
            for (String part : name.split("\\.", -1)) {
                if (part.equals("<locals>")) {
                    throw fail("cannot resolve local name " + module + "." + name);
                }
            }
        }
        GlobalRef ref = new GlobalRef(module, name);
        ReadExtension format = config.format();
        if (format != null) {
            String refused = format.refuse(ref);
            if (refused != null) {
                throw fail("global " + ref + " is refused: " + refused);
            }
        }
        if (config.strict() && !KnownGlobals.isKnown(ref) && !config.allowed().contains(ref)
                && !(config.policy() != null && config.policy().allows(ref))
                && !(boundPortableBody && PortableRuntime.isBoundNodeGlobal(ref))
                && !(format != null && format.knows(ref))) {
            throw fail("global " + ref + " is not allowed in strict mode; allow it with "
                    + "Unpickler.builder().allowGlobal(\"" + module + "\", \"" + name + "\")");
        }
        return ref;
    }

    /**
     * Strict mode lets {@code builtins.getattr} through as a global, and judges each call of it here, as the scanner
     * does: {@code getattr(C, 'name')} of a global {@code C} and a constant name is the dotted global {@code C.name},
     * which must itself be known or allowed (CPython pickles {@code ZoneInfo._unpickle} so, for every aware zoneinfo
     * datetime). Any other getattr call is refused, unless the caller allowed {@code builtins.getattr} itself or a
     * recognised portable body binds classes (its enum members are {@code getattr(class node, 'NAME')}).
     */
    /**
     * Under a strict policy, a class the policy lets only be instantiated may be made by NEWOBJ or
     * {@code copyreg._reconstructor}, but not called: REDUCE, OBJ and INST run its {@code __init__}.
     */
    private void checkStrictCall(Object callable, String opcode) {
        if (config.strict() && config.policy() != null && callable instanceof GlobalRef) {
            GlobalRef ref = (GlobalRef) callable;
            if (!KnownGlobals.isKnown(ref) && !config.allowed().contains(ref) && config.policy().instantiableOnly(ref)) {
                throw fail(ref + " is data under the policy only when instantiated from its state (NEWOBJ, "
                        + "copyreg._reconstructor); " + opcode + " calls it, which runs its __init__; allow it with "
                        + "Unpickler.builder().allowGlobal(\"" + ref.module() + "\", \"" + ref.name() + "\")");
            }
        }
    }

    private void checkStrictAttribute(Object callable, PyTuple args) {
        if (!config.strict() || boundPortableBody || !KnownGlobals.isGetattr(callable)
                || config.allowed().contains((GlobalRef) callable)) {
            return;
        }
        GlobalRef dotted = KnownGlobals.attribute(args);
        if (dotted == null) {
            throw fail("builtins.getattr is allowed in strict mode only as getattr(C, 'name') of a global C and a "
                    + "constant name, not of " + PyRepr.typeName(args.isEmpty() ? null : args.get(0))
                    + "; allow any getattr with Unpickler.builder().allowGlobal(\"builtins\", \"getattr\")");
        }
        if (!KnownGlobals.isKnown(dotted) && !config.allowed().contains(dotted)
                && !(config.policy() != null && config.policy().allows(dotted))) {
            throw fail("global " + dotted + " (reached as getattr(" + dotted.module() + "."
                    + dotted.name().substring(0, dotted.name().lastIndexOf('.')) + ", '"
                    + dotted.name().substring(dotted.name().lastIndexOf('.') + 1) + "')) is not allowed in strict "
                    + "mode; allow it with Unpickler.builder().allowGlobal(\"" + dotted.module() + "\", \""
                    + dotted.name() + "\")");
        }
    }

    /**
     * Strict mode trusts Brine's own portable header only as {@link PortableRuntime#recognize} recognises it,
     * unaltered: it is skipped unread (its globals install Brine's runtime when Python loads the stream; here they
     * would only be inert nodes), and with bound classes the body may use the node globals the Binder turns into
     * them. A stream that starts like a header but is not recognised is refused whole, rather than by its first
     * global with advice to allow {@code _pickle.loads}.
     */
    private void strictPortableHeader() throws IOException {
        PortableRuntime.Header header = PortableRuntime.recognize(lookahead());
        if (header != null) {
            in.skip(header.length());
            boundPortableBody = config.bindings() != null;
        } else if (PortableRuntime.startsLikeHeader(lookahead()) && !config.allowed().contains(PortableRuntime.PICKLE_LOADS)) {
            opStart = in.offset();
            op = Opcode.PROTO;
            throw fail("this stream starts like Brine's portable header (PROTO, then _pickle.loads) but is not one "
                    + "this Brine recognises: it was altered, or written by a Brine with another runtime. Strict mode "
                    + "refuses it, since loading it in Python would run the code it carries");
        }
    }

    /** The input as the portable header's recogniser reads it: ahead of the position, consuming nothing. */
    private PortableRuntime.Lookahead lookahead() {
        return new PortableRuntime.Lookahead() {
            @Override
            public boolean has(int n) throws IOException {
                return in.require(n);
            }

            @Override
            public byte[] buf() {
                return in.buf;
            }

            @Override
            public int start() {
                return in.pos;
            }
        };
    }

    private Object extension(int code) {
        if (code <= 0) {
            throw fail("EXT specifies code <= 0");
        }
        GlobalRef ref = config.extensions().get(code);
        if (ref == null) {
            throw fail("unregistered extension code " + code
                    + "; register it with Unpickler.builder().extension(" + code + ", module, name)");
        }
        return global(ref.module(), ref.name());
    }

    /** Rejects what Python could never call: plain data values. */
    private void checkCallable(Object callable, String what) {
        if (isPlainData(callable)) {
            throw fail(what + " needs a callable, found " + PyRepr.typeName(callable));
        }
    }

    private void checkClass(Object cls, String what) {
        if (isPlainData(cls)) {
            throw fail(what + " class argument isn't a type object: " + PyRepr.typeName(cls));
        }
    }

    private static boolean isPlainData(Object o) {
        return o == null || o instanceof Boolean || o instanceof Number || o instanceof String
                || o instanceof PyBytes || o instanceof byte[] || o instanceof PyByteArray || o instanceof Collection
                || o instanceof Map
                || o instanceof PyComplex;
    }

    /**
     * The protocol 5 state-setter form of save_reduce is {@code setter(obj, state)} by REDUCE, then POP: the call
     * only updates obj. When a REDUCE node that was never memoized is popped and its first argument is an inert
     * node, record the call on that node, so writing it back gives the same bytes.
     */
    private boolean recordStateSetter(Object popped) {
        if (popped instanceof PyObject && popped == unmemoizedReduce) {
            PyObject call = (PyObject) popped;
            if (call.kind() == PyObject.Kind.REDUCE && call.args().size() == 2 && call.args().get(0) instanceof PyObject
                    && !call.hasState() && call.listItems().isEmpty() && call.dictItems().isEmpty()
                    && call.discarded().isEmpty() && call.args().get(0) == below(popped)) {
                ((PyObject) call.args().get(0)).setStateWithSetter(call.callable(), call.args().get(1));
                return true;
            }
        }
        return false;
    }

    /** The value under the top of the stack, inside the current mark, or null. */
    private Object below(Object top) {
        return sp - 2 >= markBase() && stack[sp - 1] == top ? stack[sp - 2] : null;
    }

    /**
     * A value POP discards (issue #20): usually a call run for its side effect, as dill's
     * {@code _setattr(cell, 'cell_contents', value)} and cloudpickle's {@code _class_setstate}. Python ran it, so
     * it is kept on the node just below it on the stack (inside the current mark), the value being built when it
     * ran, with how many states that node had then; the writer emits it back in place. A discarded value with no
     * node below it is kept by the identity of the value below (PyDiscarding.anchored), after its creation or its
     * n-th memo fetch; a call with no value of its own below (an empty mark, a small int or None below) is kept as
     * unplaced, which the writer refuses rather than lose it. See docs/READING.md.
     */
    private void recordDiscarded(Object popped, Object below, boolean hasBelow) {
        if (below instanceof PyObject && below != popped) {
            ((PyObject) below).addDiscarded(popped, popped != unmemoizedReduce, fetchOccurrence(below));
        } else if (opStart < portableHeaderEnd) {
            // Inside Brine's own recognised portable header: not part of the value.
        } else if (!hasBelow && markCount == 0) {
            // A call with nothing under it at the top level: it precedes the pickle's result (dill's enum classes).
            // A plain value popped there ran nothing and is not kept, so the result stays the value itself.
            if (popped instanceof PyObject) {
                if (rootDiscarded == null) {
                    rootDiscarded = new ArrayList<>(1);
                }
                rootDiscarded.add(new PyObject.Discarded(popped, 0, popped != unmemoizedReduce, 0));
            }
        } else if (popped != unmemoizedReduce) {
            // A value the stream can refer to again (memoized, fetched, an atom) ran nothing here: a recursive
            // tuple's items popped before its memo fetch are such values. Only a call nothing refers to is kept.
        } else if (hasBelow && below != popped && placeable(below)) {
            if (anchored == null) {
                anchored = new ArrayList<>(1);
            }
            anchored.add(new PyDiscarding.Anchored(below,
                    new PyObject.Discarded(popped, 0, false, fetchOccurrence(below))));
        } else {
            if (unplaced == null) {
                unplaced = new ArrayList<>(1);
            }
            unplaced.add(new PyObject.Discarded(popped, 0, false, 0));
        }
    }

    /** Which memo fetch of {@code below} (the value under the top of the stack) it is, or 0 if it was made there. */
    private int fetchOccurrence(Object below) {
        if (fetchedNode == null || sp - 2 >= fetchedNode.length || fetchedNode[sp - 2] != below) {
            return 0;
        }
        if (fetches == null) {
            countFetches();
        }
        return fetchedCount[sp - 2];
    }

    /**
     * Whether a discarded value above {@code below} can be kept by its identity: it is one Python object of its own
     * that the writer writes once and then fetches. None, bools, numbers, the empty string and the empty tuple are
     * shared or written anew each time, so their identity says nothing about where they were.
     */
    private static boolean placeable(Object below) {
        return below != null && !(below instanceof Boolean) && !(below instanceof Number)
                && !(below instanceof String s && s.isEmpty()) && below != PyTuple.empty();
    }

    private Object call(Object callable, PyTuple args) {
        if (config.format() != null && callable instanceof GlobalRef) {
            Object value;
            try {
                value = config.format().call((GlobalRef) callable, args);
            } catch (PickleException e) {
                throw e.offset() >= 0 || e.entry() != null ? e : fail(e.getMessage(), e);
            }
            if (value != ReadExtension.NOT_HANDLED) {
                return value;
            }
        }
        Object value = KnownGlobals.call(callable, args, this);
        if (value != KnownGlobals.NOT_HANDLED) {
            if (value instanceof SharedForm) {
                // Kept so a rewrite shares what this call shared (SharedForms).
                ((SharedForm) value).keepReadForm(
                        SharedForms.keptForm(PyObject.Kind.REDUCE, callable, args, null, false));
            }
            return value;
        }
        return new PyObject(PyObject.Kind.REDUCE, callable, args, null);
    }

    /**
     * A node BUILD turned into a finished value (see {@link KnownGlobals#build}) is replaced wherever the memo holds
     * it, so later GETs see the finished value, as they would see the one object in Python.
     */
    private void replaceUnfinished(Object node, Object finished) {
        if (unfinished == null) {
            return;
        }
        Object indices = unfinished.remove(node);
        if (indices instanceof Long) {
            replaceInMemo((Long) indices, node, finished);
        } else if (indices instanceof List) {
            for (Object i : (List<?>) indices) {
                replaceInMemo((Long) i, node, finished);
            }
        }
    }

    private void replaceInMemo(long index, Object node, Object finished) {
        if (memo.contains(index) && memo.get(index) == node) {
            memo.put(index, finished);
        }
    }

    /**
     * Lets the container format finish a node BUILD just set state on; what it returns replaces the node on the
     * stack, not in the memo (joblib's unpickler swaps the array wrapper for the array on its stack only).
     */
    private void afterBuild(PyObject node) throws IOException {
        Object value;
        try {
            value = config.format().afterBuild(node, new Raw());
        } catch (PickleException e) {
            throw e.offset() >= 0 || e.entry() != null ? e : fail(e.getMessage(), e);
        }
        if (value != ReadExtension.NOT_HANDLED) {
            stack[sp - 1] = value;
        }
    }

    /** The stream after the current opcode, for raw data a container format puts between opcodes. */
    private final class Raw implements ReadExtension.RawInput {
        @Override
        public long offset() {
            return in.offset();
        }

        @Override
        public byte[] read(long n) throws IOException {
            if (n < 0) {
                throw fail("raw data of negative length " + n);
            }
            leaveFrame();
            return counted(n, "raw data");
        }

        @Override
        public Object loadPickle() throws IOException {
            leaveFrame();
            PickleMachine nested = new PickleMachine(config, in, null);
            Object value = nested.load();
            account(nested.allocated);
            return value;
        }

        /** Raw data follows a frame that ended exactly here, as joblib's writer commits the frame before it. */
        private void leaveFrame() {
            if (frameEnd != NO_FRAME) {
                if (in.offset() != frameEnd) {
                    throw fail("raw data starts inside a frame, " + (frameEnd - in.offset())
                            + " bytes before its end");
                }
                frameEnd = NO_FRAME;
            }
        }
    }

    private Object persistentLoad(Object pid) {
        if (config.persistentLoad() == null) {
            return new PersistentRef(pid);
        }
        try {
            return config.persistentLoad().apply(pid);
        } catch (RuntimeException e) {
            if (e instanceof PickleException) {
                throw e;
            }
            throw fail("the persistentLoad hook failed on id " + pid + ": " + e, e);
        }
    }

    private Object nextBuffer() {
        if (buffers == null) {
            throw fail("pickle stream refers to out-of-band data but no buffers were given; pass them to "
                    + "Unpickler.loads(data, buffers)");
        }
        if (!buffers.hasNext()) {
            throw fail("not enough out-of-band buffers");
        }
        return buffers.next();
    }

    private void readOnlyBuffer() {
        requireItems(1);
        Object buffer = stack[sp - 1];
        if (buffer instanceof ByteBuffer) {
            stack[sp - 1] = ((ByteBuffer) buffer).asReadOnlyBuffer();
        } else if (buffer instanceof byte[]) {
            stack[sp - 1] = PyBytes.wrap((byte[]) buffer);
        } else if (buffer instanceof PyByteArray) {
            stack[sp - 1] = PyBytes.wrap(((PyByteArray) buffer).array());
        } else if (!(buffer instanceof PyBytes)) {
            throw fail("READONLY_BUFFER needs a buffer, found " + PyRepr.typeName(buffer));
        }
    }

    private void account(long bytes) {
        allocated += bytes;
        if (allocated > config.maxBytes()) {
            throw limit("maxBytes", config.maxBytes(), "the pickle allocates more than " + config.maxBytes() + " bytes");
        }
    }
}
