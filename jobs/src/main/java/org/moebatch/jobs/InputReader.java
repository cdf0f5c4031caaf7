package org.moebatch.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a prompt dataset into rows the {@link org.moebatch.spark.RowParser} understands. A line that
 * cannot be parsed is not dropped: it becomes a row whose {@code input_error} column says why, and so
 * an error row in the output.
 */
public final class InputReader {
    private static final Logger LOG = LoggerFactory.getLogger(InputReader.class);
    /** Where a line-based row came from ({@code prompts.jsonl:17}): its id when it has no usable one. Not passed through. */
    public static final String SOURCE = "_source";
    /** The passthrough column of a DatasetDict's split. */
    public static final String SPLIT = "split";

    private InputReader() {}

    /** The format of {@code path} from its name: .parquet, .jsonl/.json, .csv, .arrow (or a directory of them). */
    public static InputFormat detect(String path) {
        String name = path.toLowerCase(Locale.ROOT);
        if (!name.contains("://") && Files.isDirectory(Paths.get(path))) {
            try (Stream<Path> files = Files.list(Paths.get(path))) {
                List<String> names = files.map(p -> p.getFileName().toString().toLowerCase(Locale.ROOT))
                        .filter(n -> !n.startsWith(".") && !n.startsWith("_")).sorted().toList();
                for (String n : names) {
                    InputFormat format = InputFiles.formatOf(n);
                    if (format != null) {
                        return format;
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--input " + path + ": cannot list: " + e.getMessage());
            }
            throw new IllegalArgumentException("--input " + path + ": no .parquet, .jsonl, .csv or .arrow files; "
                    + "name the format with --input-format");
        }
        InputFormat format = InputFiles.formatOf(name);
        if (format != null) {
            return format;
        }
        throw new IllegalArgumentException("--input " + path + ": cannot tell the format from the name; "
                + "use --input-format parquet|jsonl|csv|openai-batch|arrow");
    }

    public static Dataset<Row> read(SparkSession spark, String path, InputFormat format) {
        return read(spark, path, format, null);
    }

    /**
     * The rows of {@code path}: a file, or a directory whose files are each read by their own format
     * ({@code format} null) or by {@code format}. A DatasetDict's rows carry their split as column
     * {@value #SPLIT}; {@code split} picks one. Files no format claims are skipped, named in one warning.
     */
    public static Dataset<Row> read(SparkSession spark, String path, InputFormat format, String split) {
        InputFiles files = InputFiles.list(path, format, split, spark.sparkContext().hadoopConfiguration());
        if (!files.skipped().isEmpty()) {
            LOG.warn("--input {}: skipped {} file(s) of no input format: {}", path, files.skipped().size(),
                    String.join(", ", files.skipped()));
        }
        Dataset<Row> all = null;
        for (String s : files.hasSplits() ? files.splits() : java.util.Collections.<String>singletonList(null)) {
            List<InputFiles.InputFile> part = files.files().stream()
                    .filter(f -> java.util.Objects.equals(f.split(), s)).toList();
            for (InputFormat f : InputFormat.values()) {
                List<InputFiles.InputFile> same = part.stream().filter(x -> x.format() == f).toList();
                if (same.isEmpty()) {
                    continue;
                }
                Dataset<Row> rows = read(spark, files.hasSplits() ? path + "/" + s : path, same, f);
                if (s != null) {
                    if (List.of(rows.columns()).contains(SPLIT)) {
                        throw new IllegalArgumentException("--input " + path + ": split " + s + " already has a column "
                                + SPLIT + ", where the DatasetDict's split name would go");
                    }
                    rows = rows.withColumn(SPLIT, functions.lit(s));
                }
                all = all == null ? rows : union(path, all, rows);
            }
        }
        return all;
    }

    private static Dataset<Row> read(SparkSession spark, String root, List<InputFiles.InputFile> files, InputFormat format) {
        String[] paths = files.stream().map(InputFiles.InputFile::path).toArray(String[]::new);
        switch (format) {
            case PARQUET:
                return ParquetInput.read(spark, root, files);
            case CSV:
                // Everything as text: the row parser reads numbers from text and names bad ones.
                return spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
                        .csv(paths);
            case JSONL:
                return JsonLineInput.read(spark, files);
            case OPENAI_BATCH:
                return OpenAiBatchInput.read(spark, files);
            case ARROW:
                // Arrow Java reads local files: the Hadoop path file:/x/y.arrow is the local /x/y.arrow
                return ArrowInput.read(spark, java.util.Arrays.stream(paths)
                        .map(p -> new org.apache.hadoop.fs.Path(p).toUri().getPath()).toList());
            default:
                throw new IllegalStateException(format.toString());
        }
    }

    /** Rows of files of different formats, matched by column name; a column missing from some is null there. */
    private static Dataset<Row> union(String path, Dataset<Row> a, Dataset<Row> b) {
        try {
            return a.unionByName(b, true);
        } catch (Exception e) { // Spark's AnalysisException, which Scala throws though Java counts it checked
            throw new IllegalArgumentException("--input " + path + ": its files disagree on the type of a column: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Dataset<Row> jsonLines(SparkSession spark, String path) {
        return jsonLines(spark, path, Set.of());
    }

    /**
     * JSON lines with {@code textColumns} read as text: there an object or an array keeps its JSON text
     * instead of becoming a struct whose fields are merged across rows (the JSON values of an eval set:
     * expected tool calls, schemas), and a number becomes its digits.
     */
    public static Dataset<Row> jsonLines(SparkSession spark, String path, Set<String> textColumns) {
        DataFrameReader reader = spark.read().option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", "_corrupt_record");
        if (!textColumns.isEmpty()) {
            StructType schema = new StructType();
            for (StructField f : reader.json(path).schema().fields()) {
                schema = schema.add(textColumns.contains(f.name())
                        ? new StructField(f.name(), DataTypes.StringType, true, f.metadata()) : f);
            }
            reader = reader.schema(schema);
        }
        Dataset<Row> rows = reader.json(path);
        if (!List.of(rows.columns()).contains("_corrupt_record")) {
            return rows;
        }
        // Spark refuses queries on the corrupt-record column of an unmaterialised scan.
        rows = rows.cache();
        Column bad = functions.col("_corrupt_record");
        return rows.withColumn("input_error", functions.when(bad.isNotNull(),
                        functions.concat(functions.lit("line is not valid JSON: "), functions.substring(bad, 1, 120))))
                .drop("_corrupt_record");
    }

}
