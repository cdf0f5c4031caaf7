package org.moebatch.spark;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * <p>{@code moe_complete(prompt)} returns the completion text alone (null for a failed row), and runs
 * columnar under the RAPIDS Accelerator.
 *
 * <p>A SQL function sees one row at a time per task, so batching comes from many tasks sharing the
 * engine; the {@code generate} job, which streams a window of rows per task, is the faster path.
 */
public final class MoeFunctions {
    public static final String GENERATE = "moe_generate";
    public static final String COMPLETE = "moe_complete";

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
        spark.udf().register(COMPLETE, completeFunction(options), DataTypes.StringType);
    }

    /**
     * {@code moe_complete(prompt)}: the completion text alone. Where the RAPIDS Accelerator is on the
     * classpath it is the columnar {@link RapidsCompleteUdf}, which the plugin calls with the whole
     * prompt column of a GPU batch; elsewhere the row-wise {@link CompleteUdf}. A class that
     * implements RapidsUDF cannot even load without the plugin's jar, so it is reached only through
     * {@link RapidsCompleteUdf#create}, whose signature names CompleteUdf alone: were this method to
     * construct it, the JVM would load it to verify this class, and fail without the plugin.
     */
    static CompleteUdf completeFunction(GenerateOptions options) {
        try {
            Class.forName("com.nvidia.spark.RapidsUDF", false, MoeFunctions.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return new CompleteUdf(options);
        }
        return RapidsCompleteUdf.create(options);
    }

    static Row generate(GenerateOptions options, String prompt, Map<String, String> params) {
        return OutputSchema.functionResult(submit(options, prompt, params).join());
    }

    /** Starts one prompt on the resident engine; a bad parameter or row is a failed result, not an exception. */
    static CompletableFuture<ChatResult> submit(GenerateOptions options, String prompt, Map<String, String> params) {
        StructType schema = new StructType().add("id", DataTypes.StringType).add("prompt", DataTypes.StringType)
                .add("max_tokens", DataTypes.StringType).add("temperature", DataTypes.StringType)
                .add("top_p", DataTypes.StringType).add("top_k", DataTypes.StringType)
                .add("seed", DataTypes.StringType).add("system", DataTypes.StringType).add("stop", DataTypes.StringType);
        Map<String, String> p = params == null ? Map.of() : params;
        for (String key : p.keySet()) {
            if (schema.getFieldIndex(key).isEmpty() || key.equals("id") || key.equals("prompt")) {
                return CompletableFuture.completedFuture(ChatResult.failed(null, "moe_generate: unknown parameter \"" + key + "\""));
            }
        }
        // The row's id (and so its derived seed) is its prompt: the same prompt gives the same output.
        Row row = RowFactory.create(prompt == null ? "" : prompt, prompt, p.get("max_tokens"), p.get("temperature"),
                p.get("top_p"), p.get("top_k"), p.get("seed"), p.get("system"), p.get("stop"));
        RowParser.Parsed parsed = new RowParser(schema, options).parse(row);
        return parsed.error() != null
                ? CompletableFuture.completedFuture(ChatResult.failed(parsed.id(), parsed.error()))
                : ExecutorTools.loop(EngineCache.get(options), options.tools()).run(parsed.request());
    }
}
