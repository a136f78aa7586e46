package dev.brine.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.CreatableRelationProvider;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import java.util.HashMap;
import java.util.Map;

/**
 * The Spark SQL data source {@code pickle}: reads PySpark's {@code saveAsPickleFile} directories and plain pickle
 * files into DataFrames, and writes DataFrames in either layout, rows as dicts.
 *
 * <pre>{@code
 * Dataset<Row> df = spark.read().format("pickle").load("hdfs:///events");          // layout auto
 * df.write().format("pickle").option("layout", "pyspark").save("hdfs:///copy");     // sc.pickleFile reads it
 * }</pre>
 *
 * <p>Reading is a DataSource V2 table ({@link TableProvider}); the schema is inferred from a sample
 * ({@code samplingRatio}) or given with {@code .schema(...)}. Writing goes through
 * {@link CreatableRelationProvider}, so {@code save(path)} works with every save mode, the default
 * {@code ErrorIfExists} included. Options, layouts and the type table: docs/SPARK.md.
 */
public final class PickleDataSource implements TableProvider, DataSourceRegister, CreatableRelationProvider {
    /** The short name: {@code format("pickle")}. */
    public static final String SHORT_NAME = "pickle";

    /** Made by Spark, from the service registration or the class name. */
    public PickleDataSource() {
    }

    @Override
    public String shortName() {
        return SHORT_NAME;
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        SparkSession spark = SparkSession.active();
        PickleOptions o = options(spark, options.asCaseSensitiveMap());
        return SchemaInference.infer(spark, o, hadoopConf(spark, o));
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        return new PickleTable(schema, properties);
    }

    @Override
    public boolean supportsExternalMetadata() {
        return true;
    }

    @Override
    public BaseRelation createRelation(SQLContext sqlContext, SaveMode mode,
                                       scala.collection.immutable.Map<String, String> parameters,
                                       Dataset<Row> data) {
        SparkSession spark = sqlContext.sparkSession();
        Map<String, String> params = new HashMap<>(scala.jdk.javaapi.CollectionConverters.asJava(parameters));
        PickleOptions o = options(spark, params);
        PickleWriting.write(o, hadoopConf(spark, o), mode, data);
        StructType schema = data.schema();
        return new BaseRelation() {
            @Override
            public SQLContext sqlContext() {
                return sqlContext;
            }

            @Override
            public StructType schema() {
                return schema;
            }
        };
    }

    static PickleOptions options(SparkSession spark, Map<String, String> options) {
        SQLConf conf = spark.sessionState().conf();
        return new PickleOptions(options, conf.columnNameOfCorruptRecord(), conf.filesMaxPartitionBytes(),
                conf.sessionLocalTimeZone());
    }

    private static Configuration hadoopConf(SparkSession spark, PickleOptions o) {
        return PickleFiles.configuration(spark.sessionState().newHadoopConf(), o.all);
    }
}
