package org.moebatch.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.moebatch.eval.RowScorer.EvalRow;
import org.moebatch.eval.RowScorer.RowScore;
import org.moebatch.eval.ToolCallMetrics.Call;

/** Which metrics a row gets, what a failed generation scores, and how broken rows are reported. */
class RowScorerTest {
    private static final Map<String, String> CALCULATOR = Map.of("calculator",
            "{\"type\":\"object\",\"properties\":{\"expression\":{\"type\":\"string\"}},\"required\":[\"expression\"]}");
    private static final RowScorer ALL = new RowScorer(List.of(Metric.values()), false, CALCULATOR);

    private static EvalRow row(String reference, String choices, String schema, String metric, String expected,
            String completion, String error, List<Call> calls) {
        return new EvalRow("r1", "cat", reference, choices, schema, metric, expected, null, completion,
                error == null ? "stop" : "error", error, calls);
    }

    @Test
    void aReferenceRowGetsExactMatchAndContainsButNotRegex() {
        RowScore s = ALL.score(row("Paris", null, null, null, null, "It is Paris.", null, List.of()));
        assertEquals(Map.of("exact_match", 0.0, "contains", 1.0), RowScorer.byName(s));
        assertTrue(s.errors().isEmpty());
        assertNull(s.toolExpected(), "not a tool-call row");
    }

    @Test
    void theRowsMetricColumnChoosesAndRegexMustBeAskedFor() {
        RowScore s = ALL.score(row("\\b1969-07-20\\b", null, null, "regex", null, "on 1969-07-20", null, List.of()));
        assertEquals(Map.of("regex", 1.0), RowScorer.byName(s));
        RowScore two = ALL.score(row("391", null, null, "[\"exact_match\", \"tool_trigger\"]", null, "391", null, List.of()));
        assertEquals(Map.of("exact_match", 1.0, "tool_trigger", 1.0), RowScorer.byName(two), "a reference row that must not call");
        RowScore unknown = ALL.score(row("391", null, null, "exact, contains", null, "391", null, List.of()));
        assertEquals("row r1: metric: unknown metric \"exact\" (exact_match, contains, regex, multiple_choice, json_schema, "
                + "tool_trigger, tool_schema, tool_name, tool_arguments, tool_choice)", unknown.error("r1"));
        assertTrue(unknown.scores().isEmpty(), "a row with a wrong metric list is not guessed at");
        RowScorer onlyContains = new RowScorer(List.of(Metric.CONTAINS), true, Map.of());
        assertEquals(Map.of("contains", 1.0), RowScorer.byName(onlyContains.score(row("391", null, null, null, null, "391", null, List.of()))));
    }

    @Test
    void explicitRegexAppliesToEveryReferenceRow() {
        RowScorer regex = new RowScorer(List.of(Metric.REGEX), true, Map.of());
        assertEquals(Map.of("regex", 1.0), RowScorer.byName(regex.score(row("Par.s", null, null, null, null, "Paris", null, List.of()))));
    }

    @Test
    void toolRowsAreThoseWithAnExpectedCallOrNothingElseToScore() {
        String expected = "{\"name\":\"calculator\",\"arguments\":{\"expression\":\"17*23\"}}";
        List<Call> good = List.of(new Call(0, "calculator", "{\"expression\":\"17*23\"}", null),
                new Call(1, "calculator", "{\"expr\":\"1\"}", "arguments do not match the schema"));
        RowScore s = ALL.score(row(null, null, null, null, expected, "391", null, good));
        // trigger 1; name and arguments from step 0; schema 1 valid of 2 calls = 0.5
        assertEquals(Map.of("tool_trigger", 1.0, "tool_schema", 0.5, "tool_name", 1.0, "tool_arguments", 1.0, "tool_choice", 1.0),
                RowScorer.byName(s));
        assertEquals(Boolean.TRUE, s.toolExpected());
        assertEquals(2, s.toolCalls());
        assertEquals(1, s.validToolCalls());
        assertEquals("{\"name\":\"calculator\",\"arguments\":{\"expression\":\"17*23\"}}", s.predictedToolCall());

        RowScore none = ALL.score(row(null, null, null, null, null, "Bonjour", null, List.of()));
        assertEquals(Map.of("tool_trigger", 1.0, "tool_choice", 1.0), RowScorer.byName(none), "no reference, no call expected, none made");
        assertEquals(Boolean.FALSE, none.toolExpected());
        assertNull(none.validToolCalls());
    }

    @Test
    void aToolRowWithoutToolsIsAnErrorNotAScore() {
        RowScorer noTools = new RowScorer(List.of(Metric.values()), false, Map.of());
        RowScore s = noTools.score(row(null, null, null, null, null, "Bonjour", null, List.of()));
        assertTrue(s.scores().isEmpty());
        assertEquals("row r1: tool_trigger, tool_schema, tool_choice: nothing to score: no reference, choices or schema, and no tools "
                + "offered for a tool-call row", s.error("r1"));
    }

    @Test
    void aMalformedExpectedCallIsReportedOnceForEveryMetricThatNeedsIt() {
        List<Call> one = List.of(new Call(0, "calculator", "{\"expression\":\"1\"}", null));
        RowScore s = ALL.score(row(null, null, null, null, "{name: calc}", "x", null, one));
        assertEquals(Map.of("tool_schema", 1.0), RowScorer.byName(s), "schema accuracy does not need the expected call");
        assertTrue(s.error("r1").startsWith("row r1: tool_trigger, tool_name, tool_arguments, tool_choice: expected_tool_call "
                + "is not valid JSON"), s.error("r1"));
        assertEquals(4, s.erroredMetrics().size());
    }

    @Test
    void aFailedGenerationScoresZeroAndIsCounted() {
        RowScore text = ALL.score(row("Paris", null, null, null, null, null, "prompt is empty", List.of()));
        assertEquals(Map.of("exact_match", 0.0, "contains", 0.0), RowScorer.byName(text));
        assertEquals("row r1: generation failed, scored 0: prompt is empty", text.error("r1"));
        RowScore tool = ALL.score(row(null, null, null, null, null, null, "context overflow", List.of()));
        assertEquals(Map.of("tool_trigger", 0.0, "tool_choice", 0.0), RowScorer.byName(tool),
                "not calling was right, but nothing was generated");
        assertFalse(tool.toolCalled());
        RowScore badRegex = ALL.score(row("([a", null, null, "regex", null, null, "boom", List.of()));
        assertTrue(badRegex.scores().isEmpty(), "a broken row stays broken whether or not generation worked");
        assertTrue(badRegex.error("r1").contains("regex: reference is not a valid regex"), badRegex.error("r1"));
    }

    @Test
    void rowToolsAddSchemasForSchemaAccuracy() {
        String weather = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
                + "\"required\":[\"city\"],\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";
        EvalRow r = new EvalRow("w", null, null, null, null, null, "{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Lima\"}}",
                weather, "", "stop", null, List.of(new Call(0, "get_weather", "{\"city\":\"Lima\"}", "unknown tool"),
                        new Call(0, "get_weather", "{}", "unknown tool")));
        RowScore s = new RowScorer(List.of(Metric.values()), false, Map.of()).score(r);
        assertEquals(0.5, s.scores().get(Metric.TOOL_SCHEMA), "valid against the row's declaration even though nothing ran it");
        assertEquals(1.0, s.scores().get(Metric.TOOL_ARGUMENTS));
        EvalRow broken = new EvalRow("w", null, null, null, null, null, null, "[{\"name\": 3}]", "", "stop", null, List.of());
        assertTrue(new RowScorer(List.of(Metric.values()), false, Map.of()).score(broken).error("w")
                .contains("tools has an entry that is not an OpenAI function declaration"));
    }
}
