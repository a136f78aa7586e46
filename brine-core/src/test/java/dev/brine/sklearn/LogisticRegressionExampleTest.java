package dev.brine.sklearn;

import dev.brine.Pickle;
import dev.brine.conformance.Json;
import dev.brine.joblib.JoblibFile;
import dev.brine.testing.MlPython;
import dev.brine.tools.JsonView;
import dev.brine.value.NDArray;
import dev.brine.value.PyObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example of docs/MODELS.md, run for real: a scikit-learn {@code LogisticRegression} fitted by scikit-learn 1.2,
 * saved with {@code pickle} and with {@code joblib}, read in Java without running anything; its {@code coef_},
 * {@code intercept_} and {@code classes_} must equal what scikit-learn prints. Also: every scikit-learn model of
 * the joblib fixtures shows in {@code brine json} with its fitted attributes and no placeholder.
 */
class LogisticRegressionExampleTest {
    @TempDir
    static Path dir;
    static MlPython python;
    static Map<?, ?> expected;

    @BeforeAll
    static void fit() {
        python = MlPython.require("sklearn", "joblib", "numpy");
        String out = python.run("""
                import json, pickle, sys
                import joblib
                from sklearn.datasets import load_iris
                from sklearn.linear_model import LogisticRegression
                X, y = load_iris(return_X_y=True)
                model = LogisticRegression(max_iter=500).fit(X, y)
                with open(sys.argv[1], "wb") as f:
                    pickle.dump(model, f, protocol=5)
                joblib.dump(model, sys.argv[2])
                print(json.dumps({"coef": model.coef_.tolist(), "intercept": model.intercept_.tolist(),
                                  "classes": model.classes_.tolist(), "classes_dtype": model.classes_.dtype.str,
                                  "n_features_in": int(model.n_features_in_), "C": model.C}))
                """, dir.resolve("model.pkl").toString(), dir.resolve("model.joblib").toString());
        expected = (Map<?, ?>) Json.parse(out.strip());
    }

    @Test
    void coefficientsFromAPickleAndFromAJoblibFile() throws IOException {
        Object fromPickle = Pickle.loads(Files.readAllBytes(dir.resolve("model.pkl")));
        Object fromJoblib = JoblibFile.read(dir.resolve("model.joblib"));
        for (Object read : List.of(fromPickle, fromJoblib)) {
            // --- the example, as docs/MODELS.md shows it ---
            PyObject model = (PyObject) read;                        // inert: nothing ran
            Map<?, ?> attributes = (Map<?, ?>) model.state();         // the fitted estimator's __dict__
            NDArray coef = (NDArray) attributes.get("coef_");         // shape (classes, features)
            NDArray intercept = (NDArray) attributes.get("intercept_");
            NDArray classes = (NDArray) attributes.get("classes_");
            // ---
            assertThat(model.global().name()).isEqualTo("LogisticRegression");
            assertThat(coef.shape()).containsExactly(3, 4);
            List<?> wantCoef = (List<?>) expected.get("coef");
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    assertThat(coef.getDouble(r * 4L + c)).isEqualTo(((Number) ((List<?>) wantCoef.get(r)).get(c))
                            .doubleValue());
                }
            }
            assertThat(intercept.toDoubleArray()).containsExactly(((List<?>) expected.get("intercept")).stream()
                    .mapToDouble(o -> ((Number) o).doubleValue()).toArray());
            assertThat(classes.dtype().str()).isEqualTo(expected.get("classes_dtype"));
            assertThat(classes.toLongArray()).containsExactly(((List<?>) expected.get("classes")).stream()
                    .mapToLong(o -> ((Number) o).longValue()).toArray());
            assertThat(attributes.get("n_features_in_")).isEqualTo(expected.get("n_features_in"));
            assertThat(attributes.get("C")).isEqualTo(expected.get("C"));
            String json = JsonView.toJson(read, 0);
            assertThat(json).startsWith("{\"$object\":{\"kind\":\"NEWOBJ\",\"callable\":{\"$global\":"
                            + "\"sklearn.linear_model._logistic.LogisticRegression\"}")
                    .contains("\"coef_\":{\"$ndarray\":{\"dtype\":\"<f8\",\"shape\":[3,4]")
                    .doesNotContain("$java");
        }
    }

    @Test
    void everyScikitLearnModelShowsItsFittedAttributes() throws IOException {
        Path fixtures = python.fixtures("joblib_fixtures.py");
        int models = 0;
        try (Stream<Path> files = Files.list(fixtures)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".joblib")
                    && !p.getFileName().toString().matches(".*\\.(bz2|lzma|xz)\\.joblib")).sorted().toList()) {
                Object value = JoblibFile.read(f);
                String json = JsonView.toJson(value, 0);
                assertThat(json).as(f.toString()).doesNotContain("\"$java\"");
                if (value instanceof PyObject o && o.global() != null && o.global().module().startsWith("sklearn")
                        || json.contains("\"$global\":\"sklearn.")) {
                    // A fitted estimator has attributes ending in "_" (scikit-learn's convention).
                    assertThat(json).as(f.toString()).containsPattern("\"[a-z_]+_\":");
                    models++;
                }
            }
        }
        System.out.println("LogisticRegressionExampleTest: " + models + " scikit-learn model files shown");
        assertThat(models).isGreaterThanOrEqualTo(10);
    }
}
