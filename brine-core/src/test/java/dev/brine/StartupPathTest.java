package dev.brine;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first load in a fresh JVM stays off the JDK's costly first-use machinery: the string-concatenation and
 * lambda bootstraps, which spin classes at run time, and {@code java.util.regex} and streams; the first dump of
 * plain types off all of it but the lambda bootstrap that a JDK class it uses needs (see {@link #FORBIDDEN_IN_LOAD}).
 * Each costs milliseconds the first time any code in the JVM uses it, and the start-up goal of docs/BENCHMARKS.md
 * is 50 ms; an invokedynamic string concatenation in one initializer on the load's path took about 10 ms of it.
 * The test reads the class-load log of a child JVM, not a time, so a busy machine cannot fail it.
 */
class StartupPathTest {
    /** Classes whose loading during either section means Brine took one of those paths. */
    private static final List<String> FORBIDDEN = List.of(
            "java.lang.invoke.StringConcatFactory",
            "java.util.regex.",
            "java.util.stream.");

    /**
     * Classes the first load must not load either: the lambda bootstrap's, and method handles spun at run time. A
     * first dump loads them all the same: the JDK's own {@code VarHandle} for little-endian ints, which the writer
     * stores BININT's argument with, makes a lambda in its initializer (Java 17). So for the dump the test only
     * checks that no lambda of Brine's is made.
     */
    private static final List<String> FORBIDDEN_IN_LOAD = List.of(
            "java.lang.invoke.LambdaMetafactory",
            "java.lang.invoke.InnerClassLambdaMetafactory",
            "java.lang.invoke.LambdaForm$MH/");

    private static final String BEGIN = "--- begins: ";
    private static final String END = "--- ends";

    /**
     * The child: the first load of the pickle named by its first argument, then the first dump of the value of
     * the second (loaded outside the markers), each between two markers on stdout.
     */
    public static final class FirstUse {
        public static void main(String[] args) throws IOException {
            byte[] first = Files.readAllBytes(Path.of(args[0]));
            byte[] plain = Files.readAllBytes(Path.of(args[1]));
            mark(BEGIN + "load");
            Object loaded = Pickle.loads(first);
            mark(END);
            Object value = Pickle.loads(plain);
            mark(BEGIN + "dump");
            byte[] dumped = Pickle.dumps(value, 5);
            mark(END);
            System.out.println(loaded instanceof java.util.Map<?, ?> m ? "loaded entries " + m.size() : "not a dict");
            System.out.println(java.util.Arrays.equals(dumped, plain) ? "dumped the input" : "dumped other bytes");
            System.out.flush();
        }

        private static void mark(String line) {
            System.out.println(line);
            System.out.flush();
        }
    }

    @Test
    void firstLoadAndFirstDumpSpinNoClasses(@TempDir Path dir) throws Exception {
        // The start-up probe's two pickles (bench/payloads.py) in one: plain types, and globals the reader maps.
        Path both = write(dir.resolve("both.pickle"), String.join("\n",
                "v = {'name': 'brine', 'version': (0, 1), 'tags': ['a', 'b'], 'ratio': 0.5, 'blob': b'\\x00\\x01',",
                "     'none': None, 'ok': True, 'day': datetime.date(2026, 11, 24), 'price': decimal.Decimal('9.90'),",
                "     'seen': {1, 2}, 'order': collections.OrderedDict(a=1)}"));
        // Plain types only, for the dump: a global's dump still runs lambdas (docs/BENCHMARKS.md, ninth round).
        Path plain = write(dir.resolve("plain.pickle"), String.join("\n",
                "v = {'name': 'brine', 'version': (0, 1), 'tags': ['a', 'b'], 'ratio': 0.5, 'blob': b'\\x00\\x01',",
                "     'none': None, 'ok': True, 'count': 12345, 'big': 2 ** 70, 'text': 'caf\\u00e9 \\u6771'}"));

        Map<String, List<String>> loaded = classesLoadedBySection(both, plain);

        assertThat(loaded).containsOnlyKeys("load", "dump");
        assertThat(loaded.get("load")).as("classes loaded by the first load").contains("dev.brine.Pickle");
        assertThat(loaded.get("dump")).as("classes loaded by the first dump").contains("dev.brine.Pickler");
        loaded.forEach((section, classes) -> {
            for (String prefix : FORBIDDEN) {
                assertThat(classes).as("classes loaded by the first %s", section).noneMatch(c -> c.startsWith(prefix));
            }
            assertThat(classes).as("classes loaded by the first %s", section)
                    .noneMatch(c -> c.startsWith("dev.brine.") && c.contains("$$Lambda"));
        });
        for (String prefix : FORBIDDEN_IN_LOAD) {
            assertThat(loaded.get("load")).as("classes loaded by the first load").noneMatch(c -> c.startsWith(prefix));
        }
    }

    /** Writes CPython's protocol 5 pickle of the value {@code script} assigns to {@code v}. */
    private static Path write(Path file, String script) throws IOException {
        byte[] pickle = CPython.python3().check(new byte[0], "-c",
                "import collections, datetime, decimal, pickle, sys\n" + script
                        + "\nsys.stdout.buffer.write(pickle.dumps(v, 5))");
        return Files.write(file, pickle);
    }

    /**
     * Runs {@link FirstUse} in a fresh JVM and returns, for each section between its markers, the classes the JVM
     * loaded there, in order.
     */
    private static Map<String, List<String>> classesLoadedBySection(Path first, Path plain) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = codeSource(Pickle.class) + File.pathSeparator + codeSource(StartupPathTest.class);
        Process p = new ProcessBuilder(java, "-Xlog:class+load=info:stdout", "-cp", classPath,
                FirstUse.class.getName(), first.toString(), plain.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the child JVM finished").isTrue();
        assertThat(p.exitValue()).as("the child JVM's exit code; its output:\n%s", out).isZero();
        assertThat(out).as("the child's results").contains("loaded entries 11").contains("dumped the input");

        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : out.split("\n")) {
            if (line.startsWith(BEGIN)) {
                current = new ArrayList<>();
                sections.put(line.substring(BEGIN.length()), current);
            } else if (line.equals(END)) {
                current = null;
            } else if (current != null && line.contains("[class,load] ")) {
                // "[0.123s][info][class,load] java.util.TreeMap source: shared objects file"
                String rest = line.substring(line.indexOf("[class,load] ") + "[class,load] ".length());
                current.add(rest.split(" ", 2)[0]);
            }
        }
        return sections;
    }

    private static String codeSource(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
