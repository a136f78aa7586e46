package dev.brine.spark;

import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.Unpickler;
import dev.brine.tools.JsonView;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.ScalaUDF;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Option;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.Locale;

/**
 * SQL functions for pickled columns, registered in a session with {@link #register(SparkSession)}:
 *
 * <ul>
 *   <li>{@code from_pickle(binaryCol, 'ddl schema' [, 'PERMISSIVE'|'FAILFAST'])}: the pickle read into the given
 *       type ({@code 'a bigint, b string'} is a struct filled from a dict by key, {@code 'array<double>'} or any
 *       other type reads the value itself), with the data source's type mapping. A bad pickle or a value that does
 *       not fit fails the query (FAILFAST, the default) with Brine's offset and opcode, or gives null
 *       (PERMISSIVE).</li>
 *   <li>{@code to_pickle(col)}: any column as pickle bytes (protocol 4), structs and rows as dicts.</li>
 *   <li>{@code pickle_json(binaryCol)}: the pickle in Brine's JSON view ({@code brine json}); a bad pickle fails
 *       the query.</li>
 * </ul>
 *
 * <pre>{@code
 * BrineFunctions.register(spark);
 * spark.sql("SELECT from_pickle(value, 'id bigint, tags array<string>') AS e FROM kafka_events");
 * }</pre>
 */
public final class BrineFunctions {
    private BrineFunctions() {
    }

    /** Adds {@code from_pickle}, {@code to_pickle} and {@code pickle_json} to {@code spark}'s function registry. */
    public static void register(SparkSession spark) {
        FunctionRegistry registry = spark.sessionState().functionRegistry();
        registry.registerFunction(new FunctionIdentifier("from_pickle"),
                new ExpressionInfo(BrineFunctions.class.getName(), "from_pickle"), new FromPickleBuilder());
        registry.registerFunction(new FunctionIdentifier("to_pickle"),
                new ExpressionInfo(BrineFunctions.class.getName(), "to_pickle"), new Builder("to_pickle", 1));
        registry.registerFunction(new FunctionIdentifier("pickle_json"),
                new ExpressionInfo(BrineFunctions.class.getName(), "pickle_json"),
                new Builder("pickle_json", 1));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ScalaUDF udf(String name, Object function, DataType type, Seq<Expression> children) {
        Seq<Option<ExpressionEncoder<?>>> noEncoders = (Seq) scala.collection.immutable.Nil$.MODULE$;
        return new ScalaUDF(function, type, children, noEncoders, Option.empty(), Option.apply(name), true, true);
    }

    /** Builds to_pickle and pickle_json from their one argument. */
    private static final class Builder extends AbstractFunction1<Seq<Expression>, Expression> {
        private final String name;
        private final int arity;

        Builder(String name, int arity) {
            this.name = name;
            this.arity = arity;
        }

        @Override
        public Expression apply(Seq<Expression> children) {
            if (children.size() != arity) {
                throw new IllegalArgumentException(name + " takes " + arity + " argument, not " + children.size());
            }
            if (name.equals("to_pickle")) {
                return udf(name, new ToPickle(), DataTypes.BinaryType, children);
            }
            return udf(name, new PickleJson(), DataTypes.StringType, children);
        }
    }

    /** Builds from_pickle: checks the schema argument is a constant string and reads it as a type. */
    private static final class FromPickleBuilder extends AbstractFunction1<Seq<Expression>, Expression> {
        @Override
        public Expression apply(Seq<Expression> children) {
            if (children.size() != 2 && children.size() != 3) {
                throw new IllegalArgumentException("from_pickle takes (binary column, 'ddl schema' [, mode]), not "
                        + children.size() + " arguments");
            }
            String ddl = constant(children.apply(1), "its second argument, the schema");
            boolean permissive = false;
            if (children.size() == 3) {
                String mode = constant(children.apply(2), "its third argument, the mode").toUpperCase(Locale.ROOT);
                if (!mode.equals("PERMISSIVE") && !mode.equals("FAILFAST")) {
                    throw new IllegalArgumentException("from_pickle mode must be PERMISSIVE or FAILFAST, not " + mode);
                }
                permissive = mode.equals("PERMISSIVE");
            }
            DataType type = DataType.fromDDL(ddl);
            Seq<Expression> first = scala.jdk.javaapi.CollectionConverters.asScala(
                    java.util.List.of(children.apply(0))).toList();
            return udf("from_pickle", new FromPickle(type, permissive), type, first);
        }

        private static String constant(Expression e, String what) {
            Object v = e.foldable() ? e.eval(null) : null;
            if (!(v instanceof UTF8String s)) {
                throw new IllegalArgumentException("from_pickle needs a constant string as " + what + ", not " + e);
            }
            return s.toString();
        }
    }

    private static Unpickler unpickler() {
        return Unpickler.builder().build();
    }

    /** from_pickle's function: bytes → the external value of the type (ScalaUDF converts it to Catalyst). */
    static final class FromPickle extends AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final DataType type;
        private final boolean permissive;
        private final CatalystValues values;

        FromPickle(DataType type, boolean permissive) {
            this.type = type;
            this.permissive = permissive;
            this.values = new CatalystValues(SparkSession.active().sessionState().conf().sessionLocalTimeZone());
        }

        @Override
        public Object apply(Object bytes) {
            if (bytes == null) {
                return null;
            }
            Object internal;
            try {
                Object v = unpickler().loads((byte[]) bytes);
                internal = values.convert(v, type, "from_pickle");
            } catch (PickleException | CatalystValues.Mismatch e) {
                if (permissive) {
                    return null;
                }
                throw new MalformedPickleException("from_pickle cannot read a " + ((byte[]) bytes).length
                        + "-byte value: " + e.getMessage(), e);
            }
            return CatalystTypeConverters.convertToScala(internal, type);
        }
    }

    /** to_pickle's function. */
    static final class ToPickle extends AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(Object v) {
            if (v == null) {
                return null;
            }
            return Pickler.builder().build().dumps(PythonValues.ofAny(v));
        }
    }

    /** pickle_json's function. */
    static final class PickleJson extends AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(Object bytes) {
            if (bytes == null) {
                return null;
            }
            try {
                return JsonView.toJson(unpickler().loads((byte[]) bytes));
            } catch (PickleException e) {
                throw new MalformedPickleException("pickle_json cannot read a " + ((byte[]) bytes).length
                        + "-byte value: " + e.getMessage(), e);
            }
        }
    }
}
