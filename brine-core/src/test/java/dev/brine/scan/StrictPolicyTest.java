package dev.brine.scan;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.Unpickler;
import dev.brine.testing.MlPython;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Strict reading and the scanner agree on what is data when they share a policy: every plain pickle the real
 * libraries wrote that the scanner calls SAFE under {@link Policy#defaults()} reads under
 * {@code Unpickler.builder().strict(true).policy(Policy.defaults())}, to the same value as a lax read, while strict
 * mode without the policy refuses the ecosystem's classes; a class the policy lets only be instantiated cannot be
 * called, and names the policy does not clear still fail.
 */
class StrictPolicyTest {
    private static final Unpickler STRICT = Unpickler.builder().strict(true).build();
    private static final Unpickler STRICT_POLICY = Unpickler.builder().strict(true).policy(Policy.defaults()).build();

    @Test
    void everyPickleTheScannerCallsSafeReadsUnderTheSamePolicy() throws IOException {
        MlPython python = MlPython.require("pandas", "numpy", "scipy", "sklearn");
        int agreed = 0;
        int refusedWithoutPolicy = 0;
        List<String> wrong = new ArrayList<>();
        for (String script : List.of("scan_benign.py", "sparse_fixtures.py")) {
            List<Path> pickles;
            try (Stream<Path> s = Files.list(python.fixtures(script))) {
                pickles = s.filter(p -> p.getFileName().toString().matches(".*\\.p[0-5]\\.pkl|.*\\.pickle")).sorted()
                        .toList();
            }
            assertThat(pickles).as(script).hasSizeGreaterThan(10);
            for (Path p : pickles) {
                if (Scanner.create().scanFile(p).verdict() != Verdict.SAFE) {
                    continue;
                }
                byte[] data = Files.readAllBytes(p);
                try {
                    Object strict = STRICT_POLICY.loads(data);
                    assertThat(Pickle.dumps(strict, protocolOf(data))).as(p.toString())
                            .isEqualTo(Pickle.dumps(Pickle.loads(data), protocolOf(data)));
                    agreed++;
                } catch (PickleException e) {
                    wrong.add(p.getFileName() + ": " + e.getMessage());
                }
                try {
                    STRICT.loads(data);
                } catch (PickleException e) {
                    refusedWithoutPolicy++;
                }
            }
        }
        System.out.println("strict reading with the scanner's policy: " + agreed + " SAFE pickles read, "
                + refusedWithoutPolicy + " of them refused by strict mode without it");
        assertThat(wrong).isEmpty();
        assertThat(agreed).isGreaterThan(30);
        assertThat(refusedWithoutPolicy).isGreaterThan(10);
    }

    @Test
    void anInstantiableClassMayNotBeCalledAndUnclearedNamesStillFail() {
        GlobalRef estimator = GlobalRef.of("sklearn.linear_model._logistic", "LogisticRegression");
        PyObject made = new PyObject(PyObject.Kind.NEWOBJ, estimator, PyTuple.empty(), null);
        made.addState(Map.of("C", 1.0));
        byte[] instantiated = Pickle.dumps(made, 4);
        assertThat(STRICT_POLICY.loads(instantiated)).isInstanceOf(PyObject.class);
        assertThatThrownBy(() -> STRICT.loads(instantiated)).isInstanceOf(PickleException.class)
                .hasMessageContaining("not allowed in strict mode");

        byte[] called = Pickle.dumps(PyObject.reduce(estimator, 1.0), 4);
        assertThatThrownBy(() -> STRICT_POLICY.loads(called)).isInstanceOf(PickleException.class)
                .hasMessageContaining("only when instantiated from its state")
                .hasMessageContaining("REDUCE calls it");

        byte[] system = Pickle.dumps(PyObject.reduce(GlobalRef.of("os", "system"), "id"), 4);
        assertThatThrownBy(() -> STRICT_POLICY.loads(system)).isInstanceOf(PickleException.class)
                .hasMessageContaining("os.system");
        byte[] unknown = Pickle.dumps(GlobalRef.of("mylib.models", "Thing"), 4);
        assertThatThrownBy(() -> STRICT_POLICY.loads(unknown)).isInstanceOf(PickleException.class)
                .hasMessageContaining("mylib.models.Thing");
        // A policy extended by the caller is honoured as the scanner honours it.
        Unpickler extended = Unpickler.builder().strict(true)
                .policy(Policy.defaults().toBuilder().allow("mylib.models.Thing", "our value type").build()).build();
        assertThat(extended.loads(unknown)).isEqualTo(GlobalRef.of("mylib.models", "Thing"));
    }

    private static int protocolOf(byte[] data) {
        return data.length > 1 && (data[0] & 0xff) == 0x80 ? data[1] : 0;
    }
}
