package dev.brine.scan;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The policy as data: extending Brine's policy, overriding it, replacing it, the file format and its errors, and
 * the rule each finding reports.
 */
class PolicyTest {
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String) {
                out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
            } else if (p instanceof Character) {
                out.write((Character) p);
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    /** {@code module.name("x")} at protocol 2: GLOBAL, BINUNICODE, TUPLE1, REDUCE, STOP. */
    private static byte[] call(String module, String name) {
        return bytes(0x80, 2, "c" + module + "\n" + name + "\n", 'X', 1, 0, 0, 0, "x", 0x85, 'R', '.');
    }

    /** {@code cls.__new__(cls)} then BUILD with an empty dict, at protocol 2. */
    private static byte[] instantiate(String module, String name) {
        return bytes(0x80, 2, "c" + module + "\n" + name + "\n", ')', 0x81, '}', 'b', '.');
    }

    private static FileReport scan(Policy policy, byte[] data) {
        return Scanner.builder().policy(policy).build().scan("test.pkl", data);
    }

    @Test
    void theDefaultPolicyIsTheScannersAndEveryRuleHasAReason() {
        Policy d = Policy.defaults();
        assertThat(Scanner.create().policy()).isSameAs(d);
        assertThat(d.rules()).hasSizeGreaterThan(300)
                .allSatisfy(r -> assertThat(r.reason()).as(r.pattern()).isNotBlank());
        assertThat(d.judge("numpy.core.multiarray", "_reconstruct").verdict()).isEqualTo(Verdict.SAFE);
        assertThat(d.judge("os", "system").rule().pattern()).isEqualTo("os");
        assertThat(d.judge("builtins", "set").rule().kind()).isEqualTo(Policy.Kind.ALLOW);
        assertThat(d.judge("builtins", "eval").rule().pattern()).isEqualTo("builtins.eval");
        assertThat(d.judge("pathlib", "os.system").verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(d.judge("mypkg.vendor.subprocess", "check").rule().kind()).isEqualTo(Policy.Kind.DENY_MODULE_PART);
        assertThat(d.judge("numpy.dtypes", "Float64DType").verdict()).isEqualTo(Verdict.SAFE);
        assertThat(d.judge("numpy.dtypes", "_HiddenDType").verdict()).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(d.judge("pandas._libs.tslibs.offsets", "MonthEnd").verdict()).isEqualTo(Verdict.SAFE);
        assertThat(d.judge("pandas._libs.tslibs.offsets", "shift_month").verdict()).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(d.judge("scipy.sparse._csr", "csr_matrix").rule().kind()).isEqualTo(Policy.Kind.INSTANTIABLE);
        assertThat(d.judge("scipy.sparse._csr", "spmatrix").verdict()).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(d.judge("mylib", "Thing").rule()).isEqualTo(Policy.UNKNOWN);
        assertThat(d.judge("mylib", "x.__globals__").rule()).isEqualTo(Policy.DUNDER);
    }

    @Test
    void anAllowMakesASuspiciousNameSafe() {
        byte[] data = call("mymod", "MyType");
        assertThat(Scanner.create().scan("t.pkl", data).verdict()).isEqualTo(Verdict.SUSPICIOUS);
        Policy p = Policy.defaults().toBuilder().allow("mymod.MyType", "our value type").build();
        FileReport r = scan(p, data);
        assertThat(r.verdict()).isEqualTo(Verdict.SAFE);
        assertThat(r.findings()).isEmpty();
        // The defaults are untouched: a policy is immutable.
        assertThat(Policy.defaults().judge("mymod", "MyType").verdict()).isEqualTo(Verdict.SUSPICIOUS);
    }

    @Test
    void aDenyMakesASafeNameDangerousAndSaysWhy() {
        byte[] data = call("collections", "OrderedDict");
        assertThat(Scanner.create().scan("t.pkl", data).verdict()).isEqualTo(Verdict.SAFE);
        Policy p = Policy.defaults().toBuilder().deny("collections.OrderedDict", "banned here").build();
        FileReport r = scan(p, data);
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo("call");
            assertThat(f.rule()).isEqualTo("deny collections.OrderedDict  # banned here");
        });
        // A module deny overrides the defaults' allows in it, and a later allow of one name overrides the deny.
        Policy noTorch = Policy.defaults().toBuilder().deny("torch", "no torch files").build();
        assertThat(noTorch.judge("torch._utils", "_rebuild_tensor_v2").verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(noTorch.judge("torch", "Size").rule().reason()).isEqualTo("no torch files");
        Policy back = noTorch.toBuilder().allow("torch.Size").build();
        assertThat(back.judge("torch", "Size").verdict()).isEqualTo(Verdict.SAFE);
        assertThat(back.judge("torch", "device").verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void instantiableClassesMaybeMadeFromStateButNotCalled() {
        Policy p = Policy.defaults().toBuilder().instantiable("mylib.models.", "generic __setstate__").build();
        assertThat(scan(Policy.defaults(), instantiate("mylib.models.net", "Net")).verdict())
                .isEqualTo(Verdict.SUSPICIOUS);
        assertThat(scan(p, instantiate("mylib.models.net", "Net")).verdict()).isEqualTo(Verdict.SAFE);
        FileReport called = scan(p, call("mylib.models.net", "Net"));
        assertThat(called.verdict()).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(called.findings()).singleElement().satisfies(f -> {
            assertThat(f.message()).contains("runs its __init__");
            assertThat(f.rule()).startsWith("instantiable mylib.models.");
        });
        // A function in such a module is no class.
        assertThat(scan(p, call("mylib.models.net", "train")).verdict()).isEqualTo(Verdict.SUSPICIOUS);
    }

    @Test
    void replaceStartsFromAnEmptyPolicy() {
        Policy p = Policy.parse(List.of("replace", "allow numpy.ndarray  # arrays only"), Policy.defaults(), "p");
        assertThat(p.rules()).extracting(Policy.Rule::pattern).containsExactly("numpy.ndarray");
        assertThat(p.judge("numpy", "ndarray").rule().reason()).isEqualTo("arrays only");
        // os is no longer denied, only unknown; dunder paths stay dangerous in every policy.
        assertThat(scan(p, call("os", "system")).verdict()).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(scan(p, call("collections", "OrderedDict")).verdict()).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(Policy.builder().build().judge("x", "y.__class__").verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void aPolicyFileExtendsTheDefaultsRuleByRule() {
        Policy p = Policy.parse(List.of(
                "# our registry's additions",
                "",
                "allow mymod.MyType      # value type",
                "allow mymod.*Dtype",
                "deny mylib.exec_thing   # runs a script",
                "deny-attribute run_script",
                "deny-module-part vendored_os",
                "instantiable mylib.models."), Policy.defaults(), "p");
        assertThat(p.judge("mymod", "MyType").rule().toString()).isEqualTo("allow mymod.MyType  # value type");
        assertThat(p.judge("mymod", "IntDtype").verdict()).isEqualTo(Verdict.SAFE);
        assertThat(p.judge("mylib", "exec_thing").verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(p.judge("mylib", "Tool.run_script").verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(p.judge("pkg.vendored_os", "anything").verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(p.judge("mylib.models.x", "Net").rule().kind()).isEqualTo(Policy.Kind.INSTANTIABLE);
        assertThat(p.judge("os", "system").verdict()).as("defaults kept").isEqualTo(Verdict.DANGEROUS);
        assertThat(Policy.parse(List.of("# nothing", ""), Policy.defaults(), "p")).isSameAs(Policy.defaults());
        assertThat(Policy.parse(List.of("\uFEFFallow mymod.MyType"), Policy.defaults(), "p").judge("mymod", "MyType")
                .verdict()).as("a byte order mark").isEqualTo(Verdict.SAFE);
    }

    @Test
    void aBadPolicyFileIsRejectedNamingTheLine() {
        List<String[]> bad = List.of(
                new String[] {"allow a.b\npermit x.y", "p line 2: unknown rule 'permit'"},
                new String[] {"allow a.b c.d", "p line 1: 'allow' takes exactly one name, got 2"},
                new String[] {"\n\ndeny", "p line 3: 'deny' takes exactly one name, got 0"},
                new String[] {"allow numpy", "p line 1: allow: 'numpy' names a module"},
                new String[] {"deny os;rm", "p line 1: deny: 'os;rm' is not a dotted name"},
                new String[] {"allow a..b", "p line 1: allow: 'a..b' has an empty dotted part"},
                new String[] {"deny-attribute a.b", "p line 1: deny-attribute: 'a.b' is not a single word"},
                new String[] {"allow a.[b", "p line 1: allow: 'a.[b' has unbalanced [ ]"},
                new String[] {"allow a.[z-a]", "p line 1: allow: 'a.[z-a]' is no valid pattern"},
                new String[] {"allow a.[]", "p line 1: allow: 'a.[]' is no valid pattern"},
                new String[] {"allow a.b\nreplace", "p line 2: 'replace' must come before every rule"});
        for (String[] b : bad) {
            List<String> lines = List.of(b[0].split("\n", -1));
            assertThatThrownBy(() -> Policy.parse(lines, Policy.defaults(), "p")).as(b[0])
                    .isInstanceOf(Policy.FileException.class).hasMessageStartingWith(b[1]);
        }
        assertThatThrownBy(() -> Policy.parse(List.of("", "bogus"), Policy.defaults(), "p"))
                .isInstanceOfSatisfying(Policy.FileException.class, e -> assertThat(e.line()).isEqualTo(2));
    }

    @Test
    void everyFindingNamesItsRuleAndTheJsonCarriesIt() {
        FileReport r = Scanner.create().scan("t.pkl", call("os", "system"));
        assertThat(r.findings()).singleElement().satisfies(f ->
                assertThat(f.rule()).startsWith("deny os  # runs commands"));
        String json = ScanReport.of(List.of(r)).toJson();
        assertThat(json).contains("\"rule\":\"deny os  # runs commands");
        // A pickle in bytes is judged by the rule that decided what it holds.
        byte[] inner = call("os", "system");
        byte[] outer = bytes(0x80, 3, 'C', inner.length);
        outer = java.util.Arrays.copyOf(outer, outer.length + inner.length + 1);
        System.arraycopy(inner, 0, outer, 4, inner.length);
        outer[outer.length - 1] = '.';
        assertThat(Scanner.create().scan("t.pkl", outer).findings())
                .filteredOn(f -> f.kind().equals("nested-pickle")).singleElement()
                .satisfies(f -> assertThat(f.rule()).startsWith("deny os  # runs commands"));
        // The scanner's own checks name themselves.
        FileReport truncated = Scanner.create().scan("t.pkl", bytes(0x80, 2, ']', 'X', 9));
        assertThat(truncated.findings()).isNotEmpty().allSatisfy(f ->
                assertThat(f.rule()).isEqualTo("check " + f.kind()));
        // The old six-component constructor still works, its rule derived from the kind.
        assertThat(new Finding(Verdict.SUSPICIOUS, "layout", "#1", 0, "", "m").rule()).isEqualTo("check layout");
    }

    /**
     * Pickles CPython writes at test time for a class of a module unknown to the policy: {@code made} is an instance
     * pickled the default way (NEWOBJ then BUILD), {@code called} one whose {@code __reduce__} calls the class.
     */
    private static byte[][] realPickles(int protocol) {
        String script = String.join("\n",
                "import pickle, sys, types, collections",
                "m = types.ModuleType('mymod'); sys.modules['mymod'] = m",
                "exec('class MyType:\\n    def __init__(self, x=0): self.x = x\\n'",
                "     'class Called(MyType):\\n    def __reduce__(self): return (Called, (self.x,))\\n', m.__dict__)",
                "for v in (m.MyType(1), m.Called(2), collections.OrderedDict(a=1)):",
                "    b = pickle.dumps(v, protocol=" + protocol + ")",
                "    assert pickle.loads(b).__class__ is v.__class__",
                "    sys.stdout.write(b.hex() + '\\n')");
        String[] hex = new String(CPython.python3().check(new byte[0], "-c", script), StandardCharsets.US_ASCII)
                .strip().split("\n");
        byte[][] out = new byte[hex.length][];
        for (int i = 0; i < hex.length; i++) {
            out[i] = java.util.HexFormat.of().parseHex(hex[i].strip());
        }
        return out;
    }

    @Test
    void realPicklesOfAnUnknownClassFollowTheExtendedPolicy() {
        for (int protocol : new int[] {2, 4}) {
            byte[][] p = realPickles(protocol);
            byte[] made = p[0];
            byte[] called = p[1];
            byte[] ordered = p[2];
            Policy defaults = Policy.defaults();
            assertThat(scan(defaults, made).verdict()).isEqualTo(Verdict.SUSPICIOUS);
            assertThat(scan(defaults, made).findings()).allSatisfy(f -> assertThat(f.rule()).isEqualTo(
                    Policy.UNKNOWN.toString()));
            assertThat(scan(defaults, ordered).verdict()).isEqualTo(Verdict.SAFE);

            Policy allow = defaults.toBuilder().allow("mymod.MyType").allow("mymod.Called").build();
            assertThat(scan(allow, made).verdict()).as("protocol " + protocol).isEqualTo(Verdict.SAFE);
            assertThat(scan(allow, called).verdict()).isEqualTo(Verdict.SAFE);

            Policy inst = defaults.toBuilder().instantiable("mymod.").build();
            assertThat(scan(inst, made).verdict()).as("instantiated, protocol " + protocol).isEqualTo(Verdict.SAFE);
            assertThat(scan(inst, called).verdict()).as("called, protocol " + protocol).isEqualTo(Verdict.SUSPICIOUS);

            Policy deny = defaults.toBuilder().deny("collections.OrderedDict", "not here").build();
            FileReport r = scan(deny, ordered);
            assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
            assertThat(r.findings()).isNotEmpty().allSatisfy(f ->
                    assertThat(f.rule()).isEqualTo("deny collections.OrderedDict  # not here"));
        }
    }

    @Test
    void aPolicyWrittenAsTextReadsBackTheSame() {
        Policy extended = Policy.defaults().toBuilder().deny("torch", "no torch").allow("torch.Size", "but sizes")
                .allow("mymod.*Dtype", "ours").instantiable("mylib.", "ours").build();
        for (Policy p : List.of(Policy.defaults(), extended, Policy.builder().build())) {
            String text = p.toText();
            Policy back = Policy.parse(List.of(text.split("\n")), Policy.defaults(), "text");
            assertThat(back.rules()).isEqualTo(p.rules());
            for (Policy.Rule r : p.rules()) {
                String q = r.pattern().replace("**", "").replace("*", "X").replace("[A-Z]", "M");
                int dot = q.indexOf('.');
                String m = dot < 0 ? "m" : q.substring(0, dot);
                String n = dot < 0 ? q : q.substring(dot + 1);
                assertThat(back.judge(m, n)).as(q).isEqualTo(p.judge(m, n));
            }
        }
        assertThat(extended.judge("torch", "Size").verdict()).isEqualTo(Verdict.SAFE);
        assertThat(extended.judge("torch", "device").verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void anyPolicyFileEitherReadsOrFailsNamingALine() {
        String[] words = {"allow", "deny", "deny-attribute", "deny-module-part", "instantiable", "replace", "a", "b.c",
                "*", "**", "[", "]", "[]", "[z-a]", "[A-Z]", ".", "..", "#", " ", "\t", "x.y.", "\u00e9", "_", "-"};
        java.util.Random random = new java.util.Random(21);
        for (int i = 0; i < 20_000; i++) {
            List<String> lines = new java.util.ArrayList<>();
            int n = 1 + random.nextInt(3);
            for (int l = 0; l < n; l++) {
                StringBuilder line = new StringBuilder();
                int k = random.nextInt(5);
                for (int w = 0; w < k; w++) {
                    line.append(words[random.nextInt(words.length)]).append(random.nextInt(4) == 0 ? "" : " ");
                }
                lines.add(line.toString());
            }
            try {
                Policy p = Policy.parse(lines, Policy.defaults(), "f");
                p.judge("a", "b.c");
            } catch (Policy.FileException e) {
                assertThat(e.getMessage()).as(lines.toString()).startsWith("f line " + e.line() + ": ");
                assertThat(e.line()).isBetween(1, n);
            }
        }
    }
}
