package org.moebatch.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * Reads a prompt dataset into rows the {@link org.moebatch.spark.RowParser} understands. A line that
 * cannot be parsed is not dropped: it becomes a row whose {@code input_error} column says why, and so
 * an error row in the output.
 */
public final class InputReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Columns of an OpenAI Batch request line, as normalised here. */
    static final StructType OPENAI_BATCH = new StructType()
            .add("id", DataTypes.StringType)
            .add("messages", DataTypes.StringType)
            .add("tools", DataTypes.StringType)
            .add("max_tokens", DataTypes.LongType)
            .add("temperature", DataTypes.DoubleType)
            .add("top_p", DataTypes.DoubleType)
            .add("seed", DataTypes.LongType)
            .add("stop", DataTypes.StringType)
            .add("method", DataTypes.StringType)
            .add("url", DataTypes.StringType)
            .add("input_error", DataTypes.StringType);

    private InputReader() {}

    /** The format of {@code path} from its name: .parquet, .jsonl/.json, .csv, .arrow (or a directory of them). */
    public static InputFormat detect(String path) {
        String name = path.toLowerCase(Locale.ROOT);
        if (!name.contains("://") && Files.isDirectory(Paths.get(path))) {
            try (Stream<Path> files = Files.list(Paths.get(path))) {
                List<String> names = files.map(p -> p.getFileName().toString().toLowerCase(Locale.ROOT))
                        .filter(n -> !n.startsWith(".") && !n.startsWith("_")).sorted().toList();
                for (String n : names) {
                    if (n.endsWith(".parquet")) {
                        return InputFormat.PARQUET;
                    }
                    if (n.endsWith(".arrow")) {
                        return InputFormat.ARROW;
                    }
                    if (n.endsWith(".jsonl") || n.endsWith(".json")) {
                        return InputFormat.JSONL;
                    }
                    if (n.endsWith(".csv")) {
                        return InputFormat.CSV;
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--input " + path + ": cannot list: " + e.getMessage());
            }
            throw new IllegalArgumentException("--input " + path + ": no .parquet, .jsonl, .csv or .arrow files; "
                    + "name the format with --input-format");
        }
        if (name.endsWith(".parquet")) {
            return InputFormat.PARQUET;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return InputFormat.JSONL;
        }
        if (name.endsWith(".csv")) {
            return InputFormat.CSV;
        }
        if (name.endsWith(".arrow")) {
            return InputFormat.ARROW;
        }
        throw new IllegalArgumentException("--input " + path + ": cannot tell the format from the name; "
                + "use --input-format parquet|jsonl|csv|openai-batch|arrow");
    }

    public static Dataset<Row> read(SparkSession spark, String path, InputFormat format) {
        if (!path.contains("://") && !Files.exists(Paths.get(path))) {
            throw new IllegalArgumentException("--input " + path + ": no such file or directory");
        }
        switch (format) {
            case PARQUET:
                return spark.read().parquet(path);
            case CSV:
                // Everything as text: the row parser reads numbers from text and names bad ones.
                return spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"")
                        .csv(path);
            case JSONL:
                return jsonLines(spark, path);
            case OPENAI_BATCH:
                return openAiBatch(spark, path);
            case ARROW:
                return ArrowInput.read(spark, path);
            default:
                throw new IllegalStateException(format.toString());
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

    /** OpenAI Batch API request lines: {custom_id, method, url, body: {messages, tools, max_tokens, ...}}. */
    private static Dataset<Row> openAiBatch(SparkSession spark, String path) {
        JavaRDD<Row> rows = spark.read().textFile(path).javaRDD().zipWithIndex()
                .map((Tuple2<String, Long> line) -> openAiBatchRow(line._1(), line._2() + 1));
        return spark.createDataFrame(rows.filter(r -> r != null), OPENAI_BATCH);
    }

    static Row openAiBatchRow(String line, long number) {
        if (line.isBlank()) {
            return null; // blank lines are not requests
        }
        JsonNode request;
        try {
            request = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return errorRow(null, "line " + number + " is not valid JSON: " + e.getOriginalMessage());
        }
        String id = request.hasNonNull("custom_id") ? request.get("custom_id").asText() : null;
        if (id == null) {
            return errorRow(null, "line " + number + " has no custom_id");
        }
        JsonNode body = request.get("body");
        if (body == null || !body.isObject()) {
            return errorRow(id, "line " + number + " has no body object");
        }
        if (!body.has("messages")) {
            return errorRow(id, "line " + number + ": body has no messages");
        }
        Long maxTokens = body.hasNonNull("max_completion_tokens") ? Long.valueOf(body.get("max_completion_tokens").asLong())
                : body.hasNonNull("max_tokens") ? Long.valueOf(body.get("max_tokens").asLong()) : null;
        JsonNode stop = body.get("stop");
        return RowFactory.create(id, body.get("messages").toString(),
                body.hasNonNull("tools") ? body.get("tools").toString() : null,
                maxTokens,
                body.hasNonNull("temperature") ? body.get("temperature").asDouble() : null,
                body.hasNonNull("top_p") ? body.get("top_p").asDouble() : null,
                body.hasNonNull("seed") ? body.get("seed").asLong() : null,
                stop == null || stop.isNull() ? null : stop.isTextual() ? stop.asText() : stop.toString(),
                request.path("method").asText(null), request.path("url").asText(null), null);
    }

    private static Row errorRow(String id, String error) {
        Object[] values = new Object[OPENAI_BATCH.size()];
        values[0] = id;
        values[values.length - 1] = error;
        return RowFactory.create(values);
    }
}
