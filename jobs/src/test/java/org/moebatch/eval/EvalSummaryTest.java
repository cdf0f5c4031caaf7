package org.moebatch.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.moebatch.jobs.SparkSessions;

/** The aggregate on local Spark over score rows laid out as EvalJob writes them: the intervals stay inside [0, 1]. */
class EvalSummaryTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSessions.create("eval-summary-test", "local[1]", Map.of("spark.ui.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static final StructType SCORES = new StructType()
            .add("id", DataTypes.StringType).add("category", DataTypes.StringType)
            .add("tool_schema", DataTypes.DoubleType).add("tool_calls", DataTypes.LongType).add("tool_calls_valid", DataTypes.LongType)
            .add("error", DataTypes.StringType).add("error_metrics", DataTypes.createArrayType(DataTypes.StringType))
            .add("generation_error", DataTypes.StringType);

    private static Dataset<Row> scores(double... toolSchema) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < toolSchema.length; i++) {
            // one call per row where the score is 0 or 1, two calls where it is a half
            long calls = toolSchema[i] == 0.5 ? 2 : 1;
            rows.add(RowFactory.create("r" + i, "tools", toolSchema[i], calls, Math.round(toolSchema[i] * calls), null, List.of(), null));
        }
        return spark.createDataFrame(rows, SCORES);
    }

    @Test
    void toolSchemaOfFiveValidCallsInSevenRowsIsWilsonInsideOne() {
        // issue 16 saw "tool_schema 0.714 [0.263, 1.166]": the Student t interval of 1,1,1,1,1,0,0
        JsonNode m = EvalSummary.aggregate(scores(1, 1, 1, 1, 1, 0, 0), List.of(Metric.TOOL_SCHEMA)).at("/metrics/tool_schema");
        assertEquals(5.0 / 7, m.get("mean").asDouble(), 1e-15);
        assertEquals(Stats.wilson(5, 7).lo(), m.at("/ci95/0").asDouble(), 1e-15);
        assertEquals(Stats.wilson(5, 7).hi(), m.at("/ci95/1").asDouble(), 1e-15);
        assertEquals("wilson (every score 0 or 1)", m.get("interval").asText());
        assertEquals(Stats.wilson(5, 7).hi(), m.at("/by_category/tools/ci95/1").asDouble(), 1e-15, "the categories' too");
    }

    @Test
    void toolSchemaWithHalvesIsAClampedTInterval() {
        // 1, 1, 0.5: t interval [0.116225, 1.550442] (MetricIntervalTest) -> [0.116225, 1]
        JsonNode m = EvalSummary.aggregate(scores(1, 1, 0.5), List.of(Metric.TOOL_SCHEMA)).at("/metrics/tool_schema");
        assertEquals(0.11622454504175628, m.at("/ci95/0").asDouble(), 1e-9);
        assertEquals(1.0, m.at("/ci95/1").asDouble(), 0);
        assertEquals("student-t, clamped to [0, 1]", m.get("interval").asText());
        assertEquals("[0.116, 1.000]", EvalSummary.interval(m.get("ci95")));
    }
}
