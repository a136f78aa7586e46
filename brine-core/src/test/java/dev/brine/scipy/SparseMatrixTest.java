package dev.brine.scipy;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.conformance.Json;
import dev.brine.testing.MlPython;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PyComplex;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SparseMatrix} against scipy: every format, as a matrix and as an array, pickled by scipy 1.10 at protocols
 * 2, 4 and 5 ({@code sparse_fixtures.py}); each file is compared with what scipy itself loads from it. Matrices
 * built in Java are loaded by scipy and compared with the same matrix built in Python.
 */
class SparseMatrixTest {
    static MlPython python;
    static Path fixtures;
    static Map<String, Map<String, Object>> manifest;

    @TempDir
    static Path dir;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void generate() {
        python = MlPython.require("scipy", "numpy");
        fixtures = python.fixtures("sparse_fixtures.py");
        Map<String, Object> m = (Map<String, Object>) Json.read(fixtures.resolve("manifest.json"));
        manifest = new TreeMap<>((Map<String, Map<String, Object>>) m.get("files"));
        assertThat(manifest).hasSizeGreaterThan(200);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyInterpretedFormatReadsAsScipyLoadsIt() throws IOException {
        Map<String, Integer> perFormat = new TreeMap<>();
        int uninterpreted = 0;
        for (Map.Entry<String, Map<String, Object>> e : manifest.entrySet()) {
            String file = e.getKey();
            Map<String, Object> want = e.getValue();
            Object value = Pickle.loads(Files.readAllBytes(fixtures.resolve(file)));
            assertThat(SparseMatrix.isSparse(value)).as(file).isTrue();
            String format = (String) want.get("format");
            if (format.equals("dok") || format.equals("lil")) {
                assertThatThrownBy(() -> SparseMatrix.from(value)).as(file)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not interpreted");
                uninterpreted++;
                continue;
            }
            SparseMatrix m = SparseMatrix.from(value);
            String cls = (String) want.get("class");
            assertThat(m.pythonClass().toString()).as(file).isEqualTo(cls);
            assertThat(m.format().name().toLowerCase()).as(file).isEqualTo(format);
            assertThat(m.isArray()).as(file).isEqualTo(cls.endsWith("_array"));
            assertThat(m.shape()).as(file).containsExactly(longs((List<Object>) want.get("shape")));
            assertThat(m.dtype().str()).as(file).isEqualTo(want.get("dtype"));
            assertThat(m.storedCount()).as(file).isEqualTo(want.get("nnz"));
            assertThat(m.source()).isSameAs(value);
            for (String attr : List.of("data", "indices", "indptr", "row", "col", "offsets")) {
                if (want.containsKey(attr)) {
                    NDArray a = switch (attr) {
                        case "data" -> m.data();
                        case "indices" -> m.indices();
                        case "indptr" -> m.indptr();
                        case "row" -> m.row();
                        case "col" -> m.col();
                        default -> m.offsets();
                    };
                    assertThat(realParts(a)).as(file + " " + attr).containsExactly(doubles((List<Object>) want.get(attr)));
                }
            }
            if (format.equals("bsr")) {
                assertThat(m.blockShape()).as(file).containsExactly(longs((List<Object>) want.get("blocksize")));
            }
            double[][] dense = denseOf(m);
            List<List<Object>> wantDense = (List<List<Object>>) want.get("dense");
            List<List<Object>> wantImag = (List<List<Object>>) want.get("dense_imag");
            for (int r = 0; r < m.rows(); r++) {
                for (int c = 0; c < m.columns(); c++) {
                    assertThat(dense[2 * r][c]).as(file + " [" + r + "," + c + "]")
                            .isEqualTo(((Number) wantDense.get(r).get(c)).doubleValue());
                    double imag = wantImag == null ? 0 : ((Number) wantImag.get(r).get(c)).doubleValue();
                    assertThat(dense[2 * r + 1][c]).as(file + " imag [" + r + "," + c + "]").isEqualTo(imag);
                    if (m.dtype().kind() != 'c' && m.rows() * m.columns() <= 100) {
                        assertThat(m.getDouble(r, c)).as(file + " get(" + r + "," + c + ")").isEqualTo(dense[2 * r][c]);
                    }
                }
            }
            if (m.dtype().kind() != 'c') {
                double[] flat = m.toDenseDoubleArray();
                for (int r = 0; r < m.rows(); r++) {
                    for (int c = 0; c < m.columns(); c++) {
                        assertThat(flat[(int) (r * m.columns() + c)]).isEqualTo(dense[2 * r][c]);
                    }
                }
            }
            perFormat.merge(cls.substring(cls.lastIndexOf('.') + 1), 1, Integer::sum);
        }
        System.out.println("SparseMatrixTest: " + perFormat + ", " + uninterpreted + " dok/lil files refused");
        assertThat(perFormat.keySet()).contains("csr_matrix", "csc_matrix", "coo_matrix", "bsr_matrix",
                "dia_matrix", "csr_array", "csc_array", "coo_array");
    }

    /** Real and imaginary parts of every position, summed over stored entries: rows 2r and 2r+1. */
    private static double[][] denseOf(SparseMatrix m) {
        double[][] dense = new double[(int) (2 * m.rows())][(int) m.columns()];
        m.forEachStored((r, c, v) -> {
            assertThat(r).isBetween(0L, m.rows() - 1);
            assertThat(c).isBetween(0L, m.columns() - 1);
            if (v instanceof PyComplex z) {
                dense[(int) (2 * r)][(int) c] += z.real();
                dense[(int) (2 * r + 1)][(int) c] += z.imag();
            } else {
                dense[(int) (2 * r)][(int) c] += v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
            }
        });
        return dense;
    }

    private static double[] realParts(NDArray a) {
        double[] out = new double[(int) a.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = a.get(i);
            out[i] = v instanceof PyComplex z ? z.real() : v instanceof Boolean b ? (b ? 1 : 0)
                    : ((Number) v).doubleValue();
        }
        return out;
    }

    private static long[] longs(List<Object> l) {
        return l.stream().mapToLong(o -> ((Number) o).longValue()).toArray();
    }

    private static double[] doubles(List<Object> l) {
        return l.stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
    }

    @Test
    void matricesBuiltInJavaLoadInScipyAsTheSameMatrix() throws IOException {
        // numpy 1.24 is what scipy runs on here: name numpy.core, which numpy 2 loads as well.
        NDArray data = numpy1(NDArray.of(new double[] {1.5, -2, 3, 4}));
        SparseMatrix csr = SparseMatrix.csr(3, 4, data, numpy1(NDArray.of(new int[] {0, 3, 1, 1})),
                numpy1(NDArray.of(new int[] {0, 2, 2, 4})));
        SparseMatrix csc = SparseMatrix.csc(4, 3, data, numpy1(NDArray.of(new long[] {0, 3, 1, 1})),
                numpy1(NDArray.of(new long[] {0, 2, 2, 4})));
        SparseMatrix coo = SparseMatrix.coo(3, 4, data, numpy1(NDArray.of(new int[] {2, 0, 2, 1})),
                numpy1(NDArray.of(new int[] {1, 0, 1, 3})));
        assertThat(csr.getDouble(2, 1)).isEqualTo(7.0);   // a duplicate, summed as scipy sums it
        assertThat(coo.getDouble(2, 1)).isEqualTo(4.5);
        assertThat(coo.storedCount()).isEqualTo(4);
        Map<String, SparseMatrix> built = new LinkedHashMap<>();
        built.put("csr", csr);
        built.put("csc", csc);
        built.put("coo", coo);
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, SparseMatrix> e : built.entrySet()) {
            for (int protocol : new int[] {2, 4, 5}) {
                Path p = dir.resolve(e.getKey() + "." + protocol + ".pkl");
                Files.write(p, Pickle.dumps(e.getValue().toPython(), protocol));
                args.add(p.toString());
            }
        }
        String out = python.run("""
                import pickle, sys
                import numpy as np, scipy.sparse as sp
                data = np.array([1.5, -2, 3, 4])
                want = {
                    "csr": sp.csr_matrix((data, np.array([0, 3, 1, 1]), np.array([0, 2, 2, 4])), shape=(3, 4)),
                    "csc": sp.csc_matrix((data, np.array([0, 3, 1, 1]), np.array([0, 2, 2, 4])), shape=(4, 3)),
                    "coo": sp.coo_matrix((data, (np.array([2, 0, 2, 1]), np.array([1, 0, 1, 3]))), shape=(3, 4)),
                }
                for path in sys.argv[1:]:
                    kind = path.rsplit("/", 1)[1].split(".")[0]
                    with open(path, "rb") as f:
                        got = pickle.load(f)
                    ok = (type(got) is type(want[kind]) and got.shape == want[kind].shape
                          and got.dtype == want[kind].dtype and (got != want[kind]).nnz == 0)
                    print(kind, "OK" if ok else "DIFFERENT: " + repr(got.toarray()))
                """, args.toArray(String[]::new));
        assertThat(out.lines().toList()).hasSize(9).allMatch(l -> l.endsWith(" OK"), "scipy loads equal matrices");
    }

    private static NDArray numpy1(NDArray a) {
        return a.withNumpyCore("numpy.core");
    }

    @Test
    void aMatrixReadIsWrittenBackAsItsNode() throws IOException {
        byte[] p = Files.readAllBytes(fixtures.resolve("csr_matrix.f8_5x7.p4.pkl"));
        SparseMatrix m = SparseMatrix.from(Pickle.loads(p));
        assertThat(m.toPython()).isSameAs(m.source());
        assertThat(m.toString()).isEqualTo("<5x7 sparse matrix of type <f8 with " + m.storedCount()
                + " stored values in CSR format>");
        assertThatThrownBy(m::row).isInstanceOf(IllegalStateException.class).hasMessage("a csr matrix has no row");
    }

    @Test
    void inconsistentStateIsRejectedNamingTheArray() {
        assertThatThrownBy(() -> SparseMatrix.from(csrNode(new int[] {0, 1, 5}, new int[] {0, 1}, 2)))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("indptr[2] is 5, past the 2 stored entries")
                .hasMessageContaining("csr_matrix.indptr");
        assertThatThrownBy(() -> SparseMatrix.from(csrNode(new int[] {0, 2, 1}, new int[] {0, 1}, 2)))
                .isInstanceOf(PickleException.class).hasMessageContaining("below indptr[1] = 2");
        assertThatThrownBy(() -> SparseMatrix.from(csrNode(new int[] {0, 1, 2}, new int[] {0, 9}, 2)))
                .isInstanceOf(PickleException.class).hasMessageContaining("item 1 is 9, outside 0..2")
                .hasMessageContaining("csr_matrix.indices");
        assertThatThrownBy(() -> SparseMatrix.from(csrNode(new int[] {0, 1}, new int[] {0, 1}, 2)))
                .isInstanceOf(PickleException.class).hasMessageContaining("indptr has 2 items for 2 rows");
        assertThatThrownBy(() -> SparseMatrix.from(csrNode(new int[] {0, 1, 2}, new int[] {0}, 2)))
                .isInstanceOf(PickleException.class).hasMessageContaining("indices has 1 items but data has 2");
        PyObject noIndptr = PyObject.newObj(GlobalRef.of("scipy.sparse._csr", "csr_matrix"));
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put("_shape", PyTuple.of(2L, 3L));
        state.put("data", NDArray.of(new double[0]));
        state.put("indices", NDArray.of(new int[0]));
        noIndptr.addState(state);
        assertThatThrownBy(() -> SparseMatrix.from(noIndptr)).isInstanceOf(PickleException.class)
                .hasMessageContaining("the state has no 'indptr'");
        PyObject badShape = PyObject.newObj(GlobalRef.of("scipy.sparse._coo", "coo_matrix"));
        badShape.addState(Map.of("_shape", PyTuple.of(-1L, 3L)));
        assertThatThrownBy(() -> SparseMatrix.from(badShape)).isInstanceOf(PickleException.class)
                .hasMessageContaining("not two non-negative ints");
        assertThatThrownBy(() -> SparseMatrix.from(List.of(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a scipy.sparse matrix");
        assertThatThrownBy(() -> SparseMatrix.csr(2, 2, NDArray.of(new double[] {1}), NDArray.of(new int[] {5}),
                NDArray.of(new int[] {0, 1, 1}))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("item 0 is 5, outside 0..1");
    }

    private static PyObject csrNode(int[] indptr, int[] indices, int columns) {
        PyObject node = PyObject.newObj(GlobalRef.of("scipy.sparse._csr", "csr_matrix"));
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put("_shape", PyTuple.of(2L, (long) columns + 1));
        state.put("data", NDArray.of(new double[] {1, 2}));
        state.put("indices", NDArray.of(indices));
        state.put("indptr", NDArray.of(indptr));
        node.addState(state);
        return node;
    }
}
