package org.moebatch.jobs;

import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/** Reading a {@code generate} output back, and describing a row for people. */
public final class ResultRows {
    /**
     * The fields of an OpenAI batch result line that are read back, as a schema: inferred, a column of
     * nothing but {@code "error": null} would be text, and {@code error.message} would not resolve.
     */
    private static final StructType OPENAI_LINE = StructType.fromDDL("custom_id STRING, "
            + "response STRUCT<body: STRUCT<choices: ARRAY<STRUCT<finish_reason: STRING, message: STRUCT<content: STRING>>>, "
            + "usage: STRUCT<prompt_tokens: BIGINT, completion_tokens: BIGINT, prompt_tokens_details: STRUCT<cached_tokens: BIGINT>>>>, "
            + "error STRUCT<code: STRING, message: STRING>");

    private ResultRows() {}

    /** The rows of an output directory, Parquet or OpenAI batch lines, as {id, finish_reason, completion, ...}. */
    public static Dataset<Row> read(SparkSession spark, String dir) {
        if (!Files.isDirectory(Paths.get(dir))) {
            throw new IllegalArgumentException(dir + ": no such output directory");
        }
        try (var files = Files.list(Paths.get(dir))) {
            // output-*.jsonl; part-*.txt in the outputs of versions that did not rename Spark's files
            boolean text = files.map(p -> p.getFileName().toString()).anyMatch(n -> n.endsWith(".jsonl") || n.endsWith(".txt"));
            if (text) {
                Dataset<Row> lines = spark.read().schema(OPENAI_LINE).json(dir);
                return lines.select(functions.col("custom_id").as("id"),
                        functions.col("response.body.choices").getItem(0).getField("finish_reason").as("finish_reason"),
                        functions.col("response.body.choices").getItem(0).getField("message").getField("content").as("completion"),
                        functions.col("error.message").as("error"),
                        functions.when(functions.col("response").isNotNull(), functions.struct(
                                functions.col("response.body.usage.prompt_tokens").cast("int").as("prompt_tokens"),
                                functions.col("response.body.usage.completion_tokens").cast("int").as("completion_tokens"),
                                functions.coalesce(functions.col("response.body.usage.prompt_tokens_details.cached_tokens").cast("int"),
                                        functions.lit(0)).as("cached_prompt_tokens"))).as("usage"));
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(dir + ": " + e.getMessage());
        }
        return spark.read().parquet(dir);
    }

    /** A generate output whose run has not finished: its marker is there, its {@code _SUCCESS} not yet. */
    public static boolean incomplete(String dir) {
        return Files.exists(Paths.get(dir, GenerateJob.MARKER_FILE)) && !Files.exists(Paths.get(dir, GenerateJob.SUCCESS_FILE));
    }

    public static String describe(Row row, int width) {
        if (hasField(row, "reason") && hasField(row, "filter") && !hasField(row, "finish_reason")) {
            return describeRejected(row, width);
        }
        StringBuilder out = new StringBuilder();
        String id = row.getAs("id");
        String finish = row.getAs("finish_reason");
        out.append("── ").append(id).append("  [").append(finish == null ? "error" : finish).append(']');
        if (hasField(row, "usage") && row.getAs("usage") != null) {
            Row usage = row.getAs("usage");
            out.append("  ").append(usage.getInt(0)).append(" prompt + ").append(usage.getInt(1)).append(" generated tokens");
            if (usage.getInt(2) > 0) {
                out.append(" (").append(usage.getInt(2)).append(" cached)");
            }
        }
        if (hasField(row, "timing") && row.getAs("timing") != null) {
            Row timing = row.getAs("timing");
            out.append(String.format("  %.0f ms", timing.getDouble(4)));
        }
        out.append('\n');
        String error = row.getAs("error");
        if (error != null) {
            out.append("   error: ").append(error).append('\n');
        }
        String completion = row.getAs("completion");
        if (completion != null) {
            String shown = completion.length() > width ? completion.substring(0, width) + " …" : completion;
            out.append("   ").append(shown.replace("\n", "\n   ")).append('\n');
        }
        if (hasField(row, "tool_trace") && row.getAs("tool_trace") != null) {
            for (Row call : row.<Row>getList(row.fieldIndex("tool_trace"))) {
                out.append(String.format("   tool %s(%s) -> %s%n", call.getString(2), call.getString(3),
                        call.getString(5) != null ? "error: " + call.getString(5) : call.getString(4)));
            }
        }
        return out.toString();
    }

    /** A row of datagen's {@code rejected/}: which stage and filter dropped it, and why. */
    private static String describeRejected(Row row, int width) {
        StringBuilder out = new StringBuilder();
        out.append("── ").append((String) row.getAs("id")).append("  [rejected: ").append((String) row.getAs("stage"))
                .append(' ').append((String) row.getAs("filter")).append("]\n");
        out.append("   ").append((String) row.getAs("reason")).append('\n');
        String text = hasField(row, "text") ? row.getAs("text") : null;
        if (text != null) {
            String shown = text.length() > width ? text.substring(0, width) + " …" : text;
            out.append("   ").append(shown.replace("\n", "\n   ")).append('\n');
        }
        return out.toString();
    }

    private static boolean hasField(Row row, String name) {
        return row.schema().getFieldIndex(name).isDefined();
    }
}
