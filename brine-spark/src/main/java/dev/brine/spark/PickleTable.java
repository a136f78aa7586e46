package dev.brine.spark;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * A directory or file of pickles as a Spark table. It reads (batch); writes go through
 * {@link PickleDataSource}'s {@code CreatableRelationProvider} side, which supports every save mode.
 */
final class PickleTable implements SupportsRead {
    private final StructType schema;
    private final Map<String, String> properties;

    PickleTable(StructType schema, Map<String, String> properties) {
        this.schema = schema;
        this.properties = properties;
    }

    @Override
    public String name() {
        return "pickle " + properties.getOrDefault("path", properties.getOrDefault("paths", ""));
    }

    @Override
    @SuppressWarnings("deprecation")
    public StructType schema() {
        return schema;
    }

    @Override
    public Set<TableCapability> capabilities() {
        // No BATCH_WRITE: DataFrameWriter.save then falls back to CreatableRelationProvider, which handles the
        // default ErrorIfExists mode (a V2 table with BATCH_WRITE only takes Append and Overwrite).
        return EnumSet.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
        SparkSession spark = SparkSession.active();
        PickleOptions o = PickleDataSource.options(spark, options.asCaseSensitiveMap());
        return new PickleScan(schema, o, PickleFiles.configuration(spark.sessionState().newHadoopConf(), o.all));
    }
}
