package org.moebatch.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.InputReader;

/**
 * An eval set as the generate job and the scorer read it. Besides what {@code generate} understands
 * (id, prompt or messages, system, tools, sampling columns) a row has {@code reference},
 * {@code expected_tool_call}, {@code choices}, {@code schema}, {@code category} and {@code metric}.
 * These come out as text whatever the input format: JSON values (an expected call, a schema, the
 * choices) as their JSON text, so that a JSON lines file cannot merge them into one struct type
 * across rows. They pass through generation untouched; a copy of the row's {@code tools}, which
 * generation consumes, rides along as {@code eval_tools} for the schema-accuracy metric.
 */
public final class EvalInput {
    /** The eval columns, each text (null where a row has none). */
    public static final List<String> COLUMNS = List.of("category", "reference", "choices", "schema", "metric",
            "expected_tool_call");
    static final String TOOLS_COPY = "eval_tools";

    private EvalInput() {}

    public static Dataset<Row> read(SparkSession spark, String path, InputFormat format) {
        Dataset<Row> rows = format == InputFormat.JSONL
                ? InputReader.jsonLines(spark, path, Set.of("category", "reference", "choices", "schema", "metric",
                        "expected_tool_call", "tools"))
                : InputReader.read(spark, path, format);
        List<String> present = Arrays.asList(rows.columns());
        List<Column> out = new ArrayList<>();
        for (String c : present) {
            out.add(COLUMNS.contains(c) ? text(rows, c).as(c) : functions.col(c));
        }
        for (String c : COLUMNS) {
            if (!present.contains(c)) {
                out.add(functions.lit(null).cast(DataTypes.StringType).as(c));
            }
        }
        out.add((present.contains("tools") ? text(rows, "tools") : functions.lit(null).cast(DataTypes.StringType)).as(TOOLS_COPY));
        return rows.select(out.toArray(new Column[0]));
    }

    /** A column as text: structs, arrays and maps as JSON, everything else cast. */
    private static Column text(Dataset<Row> rows, String column) {
        DataType type = rows.schema().apply(column).dataType();
        Column c = functions.col(column);
        if (type instanceof StructType || type instanceof ArrayType || type instanceof MapType) {
            return functions.to_json(c);
        }
        return c.cast(DataTypes.StringType);
    }
}
