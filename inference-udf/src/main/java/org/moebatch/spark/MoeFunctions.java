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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers {@code moe_generate(prompt [, params map<string,string>])} so SQL users can write
 * {@code SELECT id, moe_generate(text) FROM docs}. It returns
 * {@code struct<completion, finish_reason, tool_trace, usage, error>} and runs on the same
 * executor-resident engine as the {@code generate} job. The params map takes the per-row columns of
 * {@code generate} ({@code max_tokens}, {@code temperature}, {@code top_p}, {@code top_k},
 * {@code seed}, {@code system}, {@code stop}).
 *
 * <p>{@code moe_complete(prompt)} returns the completion text alone (null for a failed row), and runs
 * columnar under the RAPIDS Accelerator when built with {@code -Prapids}.
 *
 * <p>A SQL function sees one row at a time per task, so batching comes from many tasks sharing the
 * engine; the {@code generate} job, which streams a window of rows per task, is the faster path.
 */
public final class MoeFunctions {
    public static final String GENERATE = "moe_generate";
    public static final String COMPLETE = "moe_complete";
    private static final Logger LOG = LoggerFactory.getLogger(MoeFunctions.class);
    /** The plugin's interface, and moe_complete's columnar form, which implements it (module rapids-udf). */
    private static final String RAPIDS_UDF_INTERFACE = "com.nvidia.spark.RapidsUDF";
    private static final String COLUMNAR_COMPLETE = "org.moebatch.spark.RapidsCompleteUdf";

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
     * classpath and moe-batch was built with {@code -Prapids}, it is the columnar
     * {@code RapidsCompleteUdf} (module rapids-udf), which the plugin calls with the whole prompt
     * column of a GPU batch; elsewhere the row-wise {@link CompleteUdf}. The columnar class is found
     * by name: it lives in a module built only for GPU clusters, and it cannot even load without the
     * plugin's jar.
     */
    static CompleteUdf completeFunction(GenerateOptions options) {
        if (!loadable(RAPIDS_UDF_INTERFACE)) {
            return new CompleteUdf(options);
        }
        if (!loadable(COLUMNAR_COMPLETE)) {
            LOG.warn("the RAPIDS Accelerator is on the classpath but this moe-batch was built without -Prapids: "
                    + "{} runs row by row", COMPLETE);
            return new CompleteUdf(options);
        }
        try {
            return (CompleteUdf) Class.forName(COLUMNAR_COMPLETE, true, MoeFunctions.class.getClassLoader())
                    .getConstructor(GenerateOptions.class).newInstance(options);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make " + COLUMNAR_COMPLETE + " for " + COMPLETE + ": " + e, e);
        }
    }

    private static boolean loadable(String className) {
        try {
            Class.forName(className, false, MoeFunctions.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
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
