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
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first load in a fresh JVM stays off the JDK's costly first-use machinery: the string-concatenation and
 * lambda bootstraps, which spin classes at run time, and {@code java.util.regex} and streams. Each costs
 * milliseconds the first time any code in the JVM uses it, and the start-up goal of docs/BENCHMARKS.md is 50 ms;
 * an invokedynamic string concatenation in one initializer on this path took about 10 ms of it. The test reads the
 * class-load log of a child JVM, not a time, so a busy machine cannot fail it.
 */
class StartupPathTest {
    /** Classes whose loading during the first load means one of those paths was taken. */
    private static final List<String> FORBIDDEN = List.of(
            "java.lang.invoke.StringConcatFactory",
            "java.lang.invoke.LambdaMetafactory",
            "java.lang.invoke.InnerClassLambdaMetafactory",
            "java.util.regex.",
            "java.util.stream.");

    private static final String BEGIN = "--- first load begins";
    private static final String END = "--- first load ends";

    /** The child: reads the pickle named by its argument, then loads it between two markers on stdout. */
    public static final class FirstLoad {
        public static void main(String[] args) throws IOException {
            byte[] data = Files.readAllBytes(Path.of(args[0]));
            System.out.println(BEGIN);
            System.out.flush();
            Object value = Pickle.loads(data);
            System.out.println(END);
            System.out.println(value instanceof java.util.Map<?, ?> m ? "entries " + m.size() : "not a dict");
            System.out.flush();
        }
    }

    @Test
    void firstLoadsOfPlainAndMappedTypesSpinNoClasses(@TempDir Path dir) throws Exception {
        // The start-up probe's two pickles (bench/payloads.py): plain types, and globals the reader maps.
        byte[] pickle = CPython.python3().check(new byte[0], "-c", String.join("\n",
                "import collections, datetime, decimal, pickle, sys",
                "v = {'name': 'brine', 'version': (0, 1), 'tags': ['a', 'b'], 'ratio': 0.5, 'blob': b'\\x00\\x01',",
                "     'none': None, 'ok': True, 'day': datetime.date(2026, 11, 24), 'price': decimal.Decimal('9.90'),",
                "     'seen': {1, 2}, 'order': collections.OrderedDict(a=1)}",
                "sys.stdout.buffer.write(pickle.dumps(v, 5))"));
        Path file = dir.resolve("small.pickle");
        Files.write(file, pickle);

        List<String> loaded = classesLoadedDuringFirstLoad(file);

        assertThat(loaded).as("classes loaded by the first load").contains("dev.brine.Pickle");
        for (String prefix : FORBIDDEN) {
            assertThat(loaded).as("classes loaded by the first load").noneMatch(c -> c.startsWith(prefix));
        }
        // Method handles spun at run time (the string-concatenation and lambda bootstraps' own classes).
        assertThat(loaded).as("classes loaded by the first load").noneMatch(c -> c.startsWith("java.lang.invoke.LambdaForm$MH/"));
    }

    /** Runs {@link FirstLoad} in a fresh JVM and returns the classes it loaded between the markers, in order. */
    private static List<String> classesLoadedDuringFirstLoad(Path pickle) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = codeSource(Pickle.class) + File.pathSeparator + codeSource(StartupPathTest.class);
        Process p = new ProcessBuilder(java, "-Xlog:class+load=info:stdout", "-cp", classPath,
                FirstLoad.class.getName(), pickle.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("the child JVM finished").isTrue();
        assertThat(p.exitValue()).as("the child JVM's exit code; its output:\n%s", out).isZero();
        assertThat(out).as("the child's result").contains("entries 11");

        List<String> classes = new ArrayList<>();
        boolean inside = false;
        for (String line : out.split("\n")) {
            if (line.equals(BEGIN)) {
                inside = true;
            } else if (line.equals(END)) {
                return classes;
            } else if (inside && line.contains("[class,load] ")) {
                // "[0.123s][info][class,load] java.util.TreeMap source: shared objects file"
                String rest = line.substring(line.indexOf("[class,load] ") + "[class,load] ".length());
                classes.add(rest.split(" ", 2)[0]);
            }
        }
        throw new AssertionError("the child's output lacks the markers:\n" + out);
    }

    private static String codeSource(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
