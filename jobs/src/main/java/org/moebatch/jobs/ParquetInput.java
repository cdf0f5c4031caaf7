package org.moebatch.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.moebatch.spark.RowParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parquet files, their footers read on the driver before any Spark work: a truncated file stops the
 * job with its name instead of failing a task later, and a column of a type Spark cannot read (UUID,
 * INTERVAL) stops the job if the row parser needs it, or else is left out of the passthrough columns
 * with one warning, so the rest of the file still reads.
 */
final class ParquetInput {
    private static final Logger LOG = LoggerFactory.getLogger(ParquetInput.class);

    private ParquetInput() {}

    static Dataset<Row> read(SparkSession spark, String root, List<InputFiles.InputFile> files) {
        try {
            return readChecked(spark, root, files);
        } catch (IOException e) {
            throw new IllegalArgumentException("--input " + root + ": " + e.getMessage());
        }
    }

    private static Dataset<Row> readChecked(SparkSession spark, String root, List<InputFiles.InputFile> files)
            throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        ParquetToSparkSchemaConverter converter = new ParquetToSparkSchemaConverter(SQLConf.get());
        Map<String, String> unreadable = new LinkedHashMap<>(); // column -> "file: type"
        StructType readable = null;
        for (InputFiles.InputFile file : files) {
            MessageType schema = footerSchema(file, conf);
            List<StructField> fields = new ArrayList<>();
            for (Type column : schema.getFields()) {
                StructField field = sparkField(converter, column);
                if (field != null) {
                    fields.add(field);
                    continue;
                }
                if (RowParser.RECOGNIZED.contains(column.getName())) {
                    throw new IllegalArgumentException("--input " + file.name() + ": column " + column.getName() + " ("
                            + column.toString().trim() + ") is of a Parquet type Spark cannot read");
                }
                unreadable.putIfAbsent(column.getName(), file.name() + ": " + column.toString().trim());
            }
            if (readable == null) {
                readable = new StructType(fields.toArray(new StructField[0]));
            }
        }
        String[] paths = files.stream().map(InputFiles.InputFile::path).toArray(String[]::new);
        // basePath keeps the partition columns of a partitioned directory (year=2024/...) though files are named one by one
        var reader = spark.read();
        if (new Path(root).getFileSystem(conf).getFileStatus(new Path(root)).isDirectory()) {
            reader = reader.option("basePath", root);
        }
        if (unreadable.isEmpty()) {
            return reader.parquet(paths);
        }
        LOG.warn("--input {}: left out of the passthrough columns, of Parquet types Spark cannot read: {}", root,
                unreadable);
        for (String column : unreadable.keySet()) {
            readable = readable.getFieldIndex(column).isDefined()
                    ? new StructType(java.util.Arrays.stream(readable.fields()).filter(f -> !f.name().equals(column))
                            .toArray(StructField[]::new))
                    : readable;
        }
        // Read with the readable columns only: Spark converts just the columns it is asked for.
        return reader.schema(readable).parquet(paths);
    }

    private static MessageType footerSchema(InputFiles.InputFile file, Configuration conf) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file.path()), conf))) {
            return reader.getFooter().getFileMetaData().getSchema();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--input " + file.name() + ": not a readable Parquet file (truncated, or not "
                    + "Parquet): " + e.getMessage());
        }
    }

    /** The Spark field of one Parquet column, or null where Spark cannot read its type. */
    private static StructField sparkField(ParquetToSparkSchemaConverter converter, Type column) {
        try {
            return converter.convert(new MessageType("row", column)).fields()[0];
        } catch (Exception e) { // Spark's AnalysisException, which Scala throws though Java counts it checked
            return null;
        }
    }
}
