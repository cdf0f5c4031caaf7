package org.moebatch.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.moebatch.chat.ChatResult;
import org.moebatch.chat.ToolTraceEntry;

/**
 * The output contract of {@code generate} (DESIGN.md): id, completion, finish_reason, tool_trace,
 * usage, timing, model, seed, error, then the input's passthrough columns. A passthrough column
 * whose name the contract already uses is kept as {@code input_NAME}.
 */
public final class OutputSchema {
    public static final StructType TOOL_CALL = new StructType()
            .add("step", DataTypes.IntegerType)
            .add("call_id", DataTypes.StringType)
            .add("name", DataTypes.StringType)
            .add("arguments", DataTypes.StringType)
            .add("result", DataTypes.StringType)
            .add("error", DataTypes.StringType)
            .add("latency_ms", DataTypes.DoubleType);
    public static final StructType USAGE = new StructType()
            .add("prompt_tokens", DataTypes.IntegerType)
            .add("completion_tokens", DataTypes.IntegerType)
            .add("cached_prompt_tokens", DataTypes.IntegerType);
    public static final StructType TIMING = new StructType()
            .add("queue_ms", DataTypes.DoubleType)
            .add("prefill_ms", DataTypes.DoubleType)
            .add("decode_ms", DataTypes.DoubleType)
            .add("tool_ms", DataTypes.DoubleType)
            .add("total_ms", DataTypes.DoubleType);
    public static final StructType CONTRACT = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("completion", DataTypes.StringType)
            .add("finish_reason", DataTypes.StringType, false)
            .add("tool_trace", DataTypes.createArrayType(TOOL_CALL, false))
            .add("usage", USAGE)
            .add("timing", TIMING)
            .add("model", DataTypes.StringType)
            .add("seed", DataTypes.LongType)
            .add("error", DataTypes.StringType);
    /** What {@code moe_generate(...)} returns. */
    public static final StructType FUNCTION_RESULT = new StructType()
            .add("completion", DataTypes.StringType)
            .add("finish_reason", DataTypes.StringType)
            .add("tool_trace", DataTypes.createArrayType(TOOL_CALL, false))
            .add("usage", USAGE)
            .add("error", DataTypes.StringType);

    private OutputSchema() {}

    /** The input columns that pass through: everything the row parser does not consume. */
    public static List<StructField> passthrough(StructType input) {
        List<StructField> out = new ArrayList<>();
        for (StructField f : input.fields()) {
            if (!RowParser.RECOGNIZED.contains(f.name())) {
                out.add(f);
            }
        }
        return out;
    }

    /** The output schema for an input schema. */
    public static StructType forInput(StructType input) {
        StructType schema = CONTRACT;
        for (StructField f : passthrough(input)) {
            String name = CONTRACT.getFieldIndex(f.name()).isDefined() ? "input_" + f.name() : f.name();
            schema = schema.add(name, f.dataType(), true, f.metadata());
        }
        return schema;
    }

    static Row[] trace(List<ToolTraceEntry> trace) {
        Row[] rows = new Row[trace.size()];
        for (int i = 0; i < rows.length; i++) {
            ToolTraceEntry e = trace.get(i);
            rows[i] = RowFactory.create(e.step(), e.callId(), e.name(), e.arguments(), e.result(), e.error(), e.latencyMs());
        }
        return rows;
    }

    static Row usage(ChatResult r) {
        return RowFactory.create(r.promptTokens(), r.completionTokens(), r.cachedPromptTokens());
    }

    /** One output row of {@code schema}: the contract columns from the result, then the passthrough values. */
    public static Row row(ChatResult r, String model, long seed, Object[] passthrough, StructType schema) {
        Object[] values = new Object[9 + passthrough.length];
        values[0] = r.id();
        values[1] = r.completion();
        values[2] = r.finishReason();
        values[3] = scala.jdk.javaapi.CollectionConverters.asScala(java.util.Arrays.asList(trace(r.toolTrace()))).toSeq();
        values[4] = usage(r);
        values[5] = RowFactory.create(r.queueMs(), r.prefillMs(), r.decodeMs(), r.toolMs(), r.totalMs());
        values[6] = model;
        values[7] = seed;
        values[8] = r.error();
        System.arraycopy(passthrough, 0, values, 9, passthrough.length);
        return new GenericRowWithSchema(values, schema);
    }

    /** The struct {@code moe_generate} returns. */
    public static Row functionResult(ChatResult r) {
        return RowFactory.create(r.completion(), r.finishReason(),
                scala.jdk.javaapi.CollectionConverters.asScala(java.util.Arrays.asList(trace(r.toolTrace()))).toSeq(),
                usage(r), r.error());
    }
}
