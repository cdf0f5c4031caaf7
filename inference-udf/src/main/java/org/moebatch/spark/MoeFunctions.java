package org.moebatch.spark;

import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.moebatch.chat.ChatResult;

/**
 * Registers {@code moe_generate(prompt [, params map<string,string>])} so SQL users can write
 * {@code SELECT id, moe_generate(text) FROM docs}. It returns
 * {@code struct<completion, finish_reason, tool_trace, usage, error>} and runs on the same
 * executor-resident engine as the {@code generate} job. The params map takes the per-row columns of
 * {@code generate} ({@code max_tokens}, {@code temperature}, {@code top_p}, {@code top_k},
 * {@code seed}, {@code system}, {@code stop}).
 *
 * <p>A SQL function sees one row at a time per task, so batching comes from many tasks sharing the
 * engine; the {@code generate} job, which streams a window of rows per task, is the faster path.
 */
public final class MoeFunctions {
    public static final String GENERATE = "moe_generate";

    private MoeFunctions() {}

    public static void register(SparkSession spark, GenerateOptions options) {
        // Spark's Java UDFs have a fixed arity; a SQL function with a default parameter gives
        // moe_generate its optional second argument and calls the two-argument UDF.
        spark.udf().register(GENERATE + "_udf", (UDF2<String, scala.collection.Map<String, String>, Row>) (prompt, params) ->
                generate(options, prompt, params == null ? null : scala.jdk.javaapi.CollectionConverters.asJava(params)),
                OutputSchema.FUNCTION_RESULT);
        spark.sql("CREATE OR REPLACE TEMPORARY FUNCTION " + GENERATE
                + "(prompt STRING, params MAP<STRING, STRING> DEFAULT map()) RETURNS "
                + OutputSchema.FUNCTION_RESULT.sql() + " RETURN " + GENERATE + "_udf(prompt, params)");
    }

    static Row generate(GenerateOptions options, String prompt, Map<String, String> params) {
        StructType schema = new StructType().add("id", DataTypes.StringType).add("prompt", DataTypes.StringType)
                .add("max_tokens", DataTypes.StringType).add("temperature", DataTypes.StringType)
                .add("top_p", DataTypes.StringType).add("top_k", DataTypes.StringType)
                .add("seed", DataTypes.StringType).add("system", DataTypes.StringType).add("stop", DataTypes.StringType);
        Map<String, String> p = params == null ? Map.of() : params;
        for (String key : p.keySet()) {
            if (schema.getFieldIndex(key).isEmpty() || key.equals("id") || key.equals("prompt")) {
                return OutputSchema.functionResult(ChatResult.failed(null, "moe_generate: unknown parameter \"" + key + "\""));
            }
        }
        // The row's id (and so its derived seed) is its prompt: the same prompt gives the same output.
        Row row = RowFactory.create(prompt == null ? "" : prompt, prompt, p.get("max_tokens"), p.get("temperature"),
                p.get("top_p"), p.get("top_k"), p.get("seed"), p.get("system"), p.get("stop"));
        RowParser.Parsed parsed = new RowParser(schema, options).parse(row);
        ChatResult result = parsed.error() != null
                ? ChatResult.failed(parsed.id(), parsed.error())
                : ExecutorTools.loop(EngineCache.get(options), options.tools()).run(parsed.request()).join();
        return OutputSchema.functionResult(result);
    }
}
