package org.moebatch.eval;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a row of the generations (the generate job's output over an eval set) into a row of
 * {@code scores}: id, category, a column per metric (1/0 or a fraction; null where it does not apply),
 * the row's problems, the tool-call facts behind the trigger and schema metrics, and what was
 * compared (reference, prediction, expected and predicted call) so a reader can check a score.
 */
public final class ScoreFunction implements MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final RowScorer scorer;
    private final StructType schema;

    public ScoreFunction(RowScorer scorer) {
        this.scorer = scorer;
        this.schema = schema(scorer.metrics());
    }

    /** The schema of the scores for {@code metrics}. */
    public static StructType schema(List<Metric> metrics) {
        StructType s = new StructType()
                .add("id", DataTypes.StringType)
                .add("category", DataTypes.StringType);
        for (Metric m : metrics) {
            s = s.add(m.column(), DataTypes.DoubleType);
        }
        return s.add("error", DataTypes.StringType)
                .add("error_metrics", DataTypes.createArrayType(DataTypes.StringType, false))
                .add("generation_error", DataTypes.StringType)
                .add("finish_reason", DataTypes.StringType)
                .add("tool_expected", DataTypes.BooleanType)
                .add("tool_called", DataTypes.BooleanType)
                .add("tool_calls", DataTypes.IntegerType)
                .add("tool_calls_valid", DataTypes.IntegerType)
                .add("reference", DataTypes.StringType)
                .add("prediction", DataTypes.StringType)
                .add("expected_tool_call", DataTypes.StringType)
                .add("predicted_tool_call", DataTypes.StringType);
    }

    public StructType schema() {
        return schema;
    }

    @Override
    public Row call(Row generation) {
        RowScorer.EvalRow row = evalRow(generation);
        RowScorer.RowScore score;
        try {
            score = scorer.score(row);
        } catch (RuntimeException e) {
            // a scorer bug must not take the job down with it: the row says what happened
            score = new RowScorer.RowScore(java.util.Map.of(), List.of("scoring failed: " + e), java.util.Set.copyOf(scorer.metrics()),
                    null, false, 0, null, null);
        }
        List<Object> values = new ArrayList<>();
        values.add(row.id());
        values.add(row.category());
        for (Metric m : scorer.metrics()) {
            values.add(score.scores().get(m));
        }
        values.add(score.error(row.id()));
        values.add(scala.jdk.javaapi.CollectionConverters.asScala(
                score.erroredMetrics().stream().map(Metric::column).toList()).toSeq());
        values.add(row.generationError());
        values.add(row.finishReason());
        values.add(score.toolExpected());
        values.add(score.toolCalled());
        values.add(score.toolCalls());
        values.add(score.validToolCalls());
        values.add(row.reference());
        values.add(row.completion());
        values.add(row.expectedToolCall());
        values.add(score.predictedToolCall());
        return new GenericRowWithSchema(values.toArray(), schema);
    }

    static RowScorer.EvalRow evalRow(Row g) {
        List<ToolCallMetrics.Call> calls = new ArrayList<>();
        int trace = g.fieldIndex("tool_trace");
        if (!g.isNullAt(trace)) {
            for (Row c : g.<Row>getList(trace)) {
                calls.add(new ToolCallMetrics.Call(c.isNullAt(0) ? 0 : c.getInt(0), c.getString(2), c.getString(3), c.getString(5)));
            }
        }
        return new RowScorer.EvalRow(text(g, "id"), text(g, "category"), text(g, "reference"), text(g, "choices"),
                text(g, "schema"), text(g, "metric"), text(g, "expected_tool_call"), text(g, EvalInput.TOOLS_COPY),
                text(g, "completion"), text(g, "finish_reason"), text(g, "error"), calls);
    }

    private static String text(Row row, String column) {
        int i = row.schema().getFieldIndex(column).isDefined() ? row.fieldIndex(column) : -1;
        return i < 0 || row.isNullAt(i) ? null : row.get(i).toString();
    }
}
