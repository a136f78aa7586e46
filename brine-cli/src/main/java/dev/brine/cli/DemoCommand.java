package dev.brine.cli;

import dev.brine.Pickler;
import dev.brine.PyFunction;
import dev.brine.tools.PortableHeader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code brine demo}: writes a portable pickle of a small Java object graph (records, an enum, a bean, a map, a date
 * and a Python function), prints what it wrote, then, when a {@code python3} is on the PATH, loads the file with
 * {@code python3 -I -S} (no site packages, nothing of Brine installed) and prints what Python sees.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = BrineCli.Version.class,
        description = {"Write a portable pickle of Java records, an enum, a bean, a map, a date and a Python "
                + "function, and load it with the stock pickle of python3 -I -S when python3 is on the PATH."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-o", "--output"}, defaultValue = "brine-demo.pkl", paramLabel = "FILE",
            description = "where to write the pickle (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = {"-p", "--protocol"}, defaultValue = "4", description = "pickle protocol, 2 to 5 (default: 4)")
    int protocol;

    @Option(names = "--python", defaultValue = "python3", description = "the Python to load it with")
    String python;

    /** A Java record: immutable, becomes an immutable Python class with value equality. */
    record Point(double x, double y) {
    }

    /** A Java enum: becomes an enum.Enum subclass. */
    enum Status { OPEN, SHIPPED, DELIVERED }

    record Order(long id, Status status, Point destination, BigDecimal total) {
    }

    /** A bean: mutable, becomes a Python class with one attribute per field. */
    static final class Customer {
        private final String name;
        private final List<Order> orders = new ArrayList<>();
        private Customer referredBy;

        Customer(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return "Customer[name=" + name + ", orders=" + orders + ", referredBy="
                    + (referredBy == null ? null : referredBy.name) + "]";
        }
    }

    static Map<String, Object> graph() {
        Customer ada = new Customer("Ada");
        Customer grace = new Customer("Grace");
        grace.referredBy = ada;
        Point warehouse = new Point(52.52, 13.405);
        ada.orders.add(new Order(1001, Status.SHIPPED, warehouse, new BigDecimal("19.99")));
        ada.orders.add(new Order(1002, Status.OPEN, new Point(48.8566, 2.3522), new BigDecimal("5.00")));
        grace.orders.add(new Order(1003, Status.DELIVERED, warehouse, new BigDecimal("42.10")));
        PyFunction total = PyFunction.of("total",
                "def total(customer):\n"
                        + "    \"\"\"The sum of a customer's order totals.\"\"\"\n"
                        + "    return sum(order.total for order in customer.orders)\n");
        Map<String, Object> graph = new LinkedHashMap<>();
        graph.put("customers", List.of(ada, grace));
        graph.put("warehouse", warehouse);
        graph.put("statuses", Map.of("open", Status.OPEN));
        graph.put("since", LocalDate.of(2026, 11, 24));
        graph.put("total", total);
        return graph;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (protocol < 2 || protocol > 5) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--protocol must be 2 to 5");
        }
        Map<String, Object> graph = graph();
        byte[] data = Pickler.builder().portable(true).protocol(protocol).build().dumps(graph);
        Files.write(output, data);
        PortableHeader header = PortableHeader.find(data).orElseThrow();
        out.printf("Wrote %s: %d bytes, protocol %d.%n", output, data.length, protocol);
        out.printf("  header: %d bytes, runtime sections %s (Python source, zlib-compressed, installed only where"
                + " missing)%n", header.length(), String.join(", ", header.sections()));
        out.printf("  body:   %d bytes, this Java object graph:%n", data.length - header.length());
        graph.forEach((key, value) -> out.println("    " + key + " = " + value));
        out.println();
        String script = String.join("\n",
                "import pickle",
                "g = pickle.load(open(" + pyString(output.toAbsolutePath().toString()) + ", 'rb'))",
                "ada, grace = g['customers']",
                "print('Python', __import__('sys').version.split()[0], 'loaded it with the stock pickle module:')",
                "print('  ada    =', ada)",
                "print('  grace.referredBy is ada:', grace.referredBy is ada)",
                "print('  warehouse is ada.orders[0].destination:', g['warehouse'] is ada.orders[0].destination)",
                "print('  statuses =', g['statuses'])",
                "print('  since    =', repr(g['since']))",
                "print('  total(ada) =', g['total'](ada), ' total(grace) =', g['total'](grace))",
                "print('  total.__doc__ =', repr(g['total'].__doc__))");
        Process p;
        try {
            p = new ProcessBuilder(python, "-I", "-S", "-c", script).redirectErrorStream(true).start();
        } catch (IOException e) {
            out.println("No " + python + " on the PATH; load " + output + " with: python3 -I -S -c "
                    + "'import pickle; print(pickle.load(open(\"" + output + "\", \"rb\")))'");
            return 0;
        }
        String shown = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        out.print(shown);
        out.flush();
        return p.exitValue() == 0 ? 0 : BrineCli.FAILED;
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
