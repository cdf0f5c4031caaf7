package org.moebatch.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * OpenAI Batch API request lines: {@code {custom_id, method, url, body: {messages, tools, max_tokens, ...}}}.
 * A line without a usable {@code custom_id} is named by its file and line ({@code requests.jsonl:17}).
 * A body field that would change the result and that the engine cannot honour ({@code n} &gt; 1,
 * {@code response_format}, {@code logprobs}, or any field not known here) makes the line an error:
 * answering it while ignoring the field would hand back something the caller did not ask for.
 */
final class OpenAiBatchInput {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Columns of an OpenAI Batch request line, as normalised here. */
    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType)
            .add("messages", DataTypes.StringType)
            .add("tools", DataTypes.StringType)
            .add("max_tokens", DataTypes.LongType)
            .add("temperature", DataTypes.DoubleType)
            .add("top_p", DataTypes.DoubleType)
            .add("top_k", DataTypes.LongType)
            .add("seed", DataTypes.LongType)
            .add("stop", DataTypes.StringType)
            .add("method", DataTypes.StringType)
            .add("url", DataTypes.StringType)
            .add(InputReader.SOURCE, DataTypes.StringType)
            .add("input_error", DataTypes.StringType);
    /** Body fields read into the columns above. */
    private static final Set<String> READ = Set.of("messages", "tools", "max_tokens", "max_completion_tokens",
            "temperature", "top_p", "top_k", "seed", "stop");
    /** Body fields that do not change what is generated: bookkeeping for the caller or the service. */
    private static final Set<String> HARMLESS = Set.of("model", "user", "metadata", "store", "service_tier",
            "parallel_tool_calls", "prompt_cache_key", "safety_identifier");
    /** Body fields accepted only at the value that asks for what the engine does anyway. */
    private static final Map<String, String> ONLY_AT_DEFAULT = Map.of(
            "n", "1", "logprobs", "false", "stream", "false", "presence_penalty", "0", "frequency_penalty", "0",
            "tool_choice", "\"auto\"", "response_format", "{\"type\":\"text\"}");

    private OpenAiBatchInput() {}

    static Dataset<Row> read(SparkSession spark, List<InputFiles.InputFile> files) {
        JavaRDD<Row> rows = NumberedLines.read(spark, files).map(t -> row(t._2(), t._1()));
        return spark.createDataFrame(rows, SCHEMA);
    }

    /** One request line as a row of {@link #SCHEMA}; {@code source} is its file and line. */
    static Row row(String line, String source) {
        JsonNode request;
        try {
            request = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return errorRow(source, source, source + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (request == null || !request.isObject()) {
            return errorRow(source, source, source + " is not a JSON object");
        }
        JsonNode customId = request.get("custom_id");
        if (customId == null || customId.isNull() || customId.asText().isBlank()) {
            return errorRow(source, source, source + " has no custom_id"
                    + (customId != null && customId.isTextual() ? " (it is empty)" : ""));
        }
        if (!customId.isTextual() && !customId.isIntegralNumber()) {
            return errorRow(source, source, source + ": custom_id: expected text, got " + JsonRowFields.kind(customId));
        }
        String id = customId.asText();
        JsonNode body = request.get("body");
        if (body == null || !body.isObject()) {
            return errorRow(id, source, source + " has no body object");
        }
        if (!body.has("messages")) {
            return errorRow(id, source, source + ": body has no messages");
        }
        String error = unsupported(body);
        if (error == null) {
            error = JsonRowFields.typeError(body);
        }
        if (error != null) {
            return errorRow(id, source, source + ": body." + error);
        }
        JsonNode maxTokens = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        JsonNode stop = body.get("stop");
        return RowFactory.create(id, body.get("messages").toString(),
                body.hasNonNull("tools") ? body.get("tools").toString() : null,
                maxTokens == null || maxTokens.isNull() ? null : whole(maxTokens),
                body.hasNonNull("temperature") ? body.get("temperature").asDouble() : null,
                body.hasNonNull("top_p") ? body.get("top_p").asDouble() : null,
                body.hasNonNull("top_k") ? whole(body.get("top_k")) : null,
                body.hasNonNull("seed") ? whole(body.get("seed")) : null,
                stop == null || stop.isNull() ? null : stop.isTextual() ? stop.asText() : stop.toString(),
                request.path("method").asText(null), request.path("url").asText(null), source, null);
    }

    /** The first body field the engine would have to ignore, as "field ... is not supported", or null. */
    static String unsupported(JsonNode body) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode value = body.get(name);
            if (READ.contains(name) || HARMLESS.contains(name) || value.isNull()) {
                continue;
            }
            String accepted = ONLY_AT_DEFAULT.get(name);
            if (accepted == null) {
                return name + " is not supported: moe-batch cannot honour it, and answering without it could "
                        + "change the result";
            }
            if (!sameValue(value, accepted)) {
                return name + " = " + value + " is not supported (only " + accepted + ")";
            }
        }
        return null;
    }

    private static boolean sameValue(JsonNode value, String accepted) {
        try {
            JsonNode expected = JSON.readTree(accepted);
            return value.isNumber() && expected.isNumber() ? value.asDouble() == expected.asDouble() : value.equals(expected);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(accepted, e);
        }
    }

    /**
     * A whole number exactly, over all 64 bits for seeds, also when written as text ("16", "1e3"); the
     * type check has ruled out what is not a whole number.
     */
    private static long whole(JsonNode value) {
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        String text = value.isTextual() ? value.asText().trim() : value.toString();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return (long) Double.parseDouble(text);
        }
    }

    private static Row errorRow(String id, String source, String error) {
        Object[] values = new Object[SCHEMA.size()];
        values[0] = id;
        values[values.length - 2] = source;
        values[values.length - 1] = error;
        return RowFactory.create(values);
    }
}
