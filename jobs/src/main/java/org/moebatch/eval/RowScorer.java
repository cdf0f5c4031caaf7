package org.moebatch.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores one eval row against its generation. Plain Java, no Spark: {@link ScoreFunction} runs it
 * over the generations, tests call it directly.
 *
 * <p>Which metrics a row gets: those its own {@code metric} column names, else those its fields call
 * for: a reference gives exact_match and contains (regex when asked for), choices give
 * multiple_choice, a schema gives json_schema, and a row with an {@code expected_tool_call}, or with
 * none of reference, choices and schema, is a tool-call row (trigger and schema accuracy; name and
 * arguments when a call is expected). Only metrics of the job's set are scored.
 */
public final class RowScorer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One row to score: the eval row's fields and what generation made of it. */
    public record EvalRow(String id, String category, String reference, String choices, String schema, String metric,
            String expectedToolCall, String tools, String completion, String finishReason, String generationError,
            List<ToolCallMetrics.Call> calls) {
        public EvalRow {
            calls = calls == null ? List.of() : List.copyOf(calls);
        }

        boolean generationFailed() {
            return generationError != null || "error".equals(finishReason);
        }
    }

    /**
     * A row's scores: a value per scored metric, the problems of the row (each naming the metric), the
     * metrics those problems stopped, and the tool-call facts the aggregate's confusion table needs.
     */
    public record RowScore(Map<Metric, Double> scores, List<String> errors, Set<Metric> erroredMetrics,
            Boolean toolExpected, boolean toolCalled, int toolCalls, Integer validToolCalls, String predictedToolCall) {
        public String error(String id) {
            return errors.isEmpty() ? null : "row " + id + ": " + String.join("; ", errors);
        }
    }

    private final List<Metric> metrics;
    private final boolean explicit;
    private final Map<String, String> jobToolSchemas;
    private transient Map<String, JsonNode> parsedJobSchemas;
    /** Validators of the job's tools, shared by the rows without tools of their own. */
    private transient ToolCallMetrics.SchemaCheck jobSchemaCheck;

    /**
     * @param metrics        the job's metrics
     * @param explicit       the metrics were named on the command line (regex then applies to every row with a reference)
     * @param jobToolSchemas the job's tools ({@code --tools}): name to parameters schema as JSON text
     */
    public RowScorer(List<Metric> metrics, boolean explicit, Map<String, String> jobToolSchemas) {
        this.metrics = List.copyOf(metrics);
        this.explicit = explicit;
        this.jobToolSchemas = Map.copyOf(jobToolSchemas);
    }

    public List<Metric> metrics() {
        return metrics;
    }

    public RowScore score(EvalRow row) {
        Map<Metric, Double> scores = new EnumMap<>(Metric.class);
        List<String> errors = new ArrayList<>();
        Set<Metric> errored = EnumSet.noneOf(Metric.class);
        List<ToolCallMetrics.Call> calls = row.generationFailed() ? List.of() : row.calls();

        Set<Metric> named = null;
        if (row.metric() != null && !row.metric().isBlank()) {
            try {
                named = EnumSet.copyOf(Metric.parseAll(metricNames(row.metric())));
            } catch (IllegalArgumentException | BadEvalRow e) {
                errors.add("metric: " + e.getMessage());
                named = EnumSet.noneOf(Metric.class);
            }
        }
        boolean toolRow = row.expectedToolCall() != null
                || (row.reference() == null && row.choices() == null && row.schema() == null);
        Map<String, JsonNode> offered = null;
        String offeredProblem = null;
        try {
            offered = offeredSchemas(row.tools());
            if (offered.isEmpty()) {
                offeredProblem = row.expectedToolCall() != null
                        ? "expected_tool_call is given but no tools are offered (no --tools, no tools column)"
                        : toolRow ? "nothing to score: no reference, choices or schema, and no tools offered for a tool-call row"
                        : "a tool-call metric, but no tools are offered (no --tools, no tools column)";
            }
        } catch (BadEvalRow e) {
            offeredProblem = e.getMessage();
        }

        Integer validCalls = null;
        // a problem shared by several metrics (a malformed expected_tool_call) is reported once, naming them all
        Map<String, List<String>> problems = new LinkedHashMap<>();
        for (Metric m : metrics) {
            boolean wanted = named != null ? named.contains(m) : appliesByDefault(m, row, toolRow);
            if (!wanted) {
                continue;
            }
            try {
                if (m.isToolMetric() && offeredProblem != null) {
                    throw new BadEvalRow(offeredProblem);
                }
                Double s;
                if (m == Metric.TOOL_SCHEMA) {
                    // no call made, nothing to validate: the trigger metric scores such a row
                    ToolCallMetrics.SchemaCheck check = row.tools() == null ? jobSchemaCheck : new ToolCallMetrics.SchemaCheck(offered);
                    validCalls = calls.isEmpty() ? null : check.countValid(calls);
                    s = validCalls == null ? null : (double) validCalls / calls.size();
                } else {
                    s = compute(m, row, calls);
                }
                if (row.generationFailed()) {
                    // the row's own inputs checked out above; the model produced nothing, which is a failure
                    s = m == Metric.TOOL_SCHEMA ? null : 0.0;
                }
                if (s != null) {
                    scores.put(m, s);
                }
            } catch (BadEvalRow e) {
                problems.computeIfAbsent(e.getMessage(), k -> new ArrayList<>()).add(m.column());
                errored.add(m);
            }
        }
        problems.forEach((problem, names) -> errors.add(String.join(", ", names) + ": " + problem));
        if (row.generationFailed()) {
            errors.add(0, "generation failed, scored 0: " + (row.generationError() != null ? row.generationError() : "finish_reason error"));
        }
        Boolean toolExpected = null;
        if (scores.containsKey(Metric.TOOL_TRIGGER)) {
            toolExpected = row.expectedToolCall() != null && ToolCallMetrics.expected(row.expectedToolCall()) != null;
        }
        return new RowScore(scores, errors, errored, toolExpected, !calls.isEmpty(), calls.size(), validCalls,
                predictedCall(calls));
    }

    private boolean appliesByDefault(Metric m, EvalRow row, boolean toolRow) {
        boolean text = row.reference() != null && row.choices() == null;
        return switch (m) {
            case EXACT_MATCH, CONTAINS -> text;
            case REGEX -> text && explicit;
            case MULTIPLE_CHOICE -> row.choices() != null;
            case JSON_SCHEMA -> row.schema() != null;
            case TOOL_TRIGGER, TOOL_SCHEMA, TOOL_CHOICE -> toolRow;
            case TOOL_NAME, TOOL_ARGUMENTS -> row.expectedToolCall() != null && expectsCall(row.expectedToolCall());
        };
    }

    /** Whether the expected_tool_call text is a call; a malformed one counts as a call, so its error is reported. */
    private static boolean expectsCall(String expectedToolCall) {
        try {
            return ToolCallMetrics.expected(expectedToolCall) != null;
        } catch (BadEvalRow e) {
            return true;
        }
    }

    private static Double compute(Metric m, EvalRow row, List<ToolCallMetrics.Call> calls) {
        String prediction = row.completion();
        switch (m) {
            case EXACT_MATCH:
                return TextMetrics.exactMatch(prediction, row.reference());
            case CONTAINS:
                return TextMetrics.contains(prediction, row.reference());
            case REGEX:
                return TextMetrics.regex(prediction, row.reference());
            case MULTIPLE_CHOICE:
                return TextMetrics.multipleChoice(prediction, row.choices(), row.reference());
            case JSON_SCHEMA:
                return TextMetrics.jsonSchema(prediction, row.schema());
            case TOOL_TRIGGER:
                return ToolCallMetrics.trigger(calls,
                        row.expectedToolCall() == null ? null : ToolCallMetrics.expected(row.expectedToolCall()));
            case TOOL_NAME:
                return ToolCallMetrics.nameMatch(calls, expectedCall(m, row));
            case TOOL_CHOICE:
                return ToolCallMetrics.choice(calls,
                        row.expectedToolCall() == null ? null : ToolCallMetrics.expected(row.expectedToolCall()));
            case TOOL_ARGUMENTS:
                return ToolCallMetrics.argumentsMatch(calls, expectedCall(m, row));
            default:
                throw new IllegalStateException(m.toString());
        }
    }

    private static ToolCallMetrics.ExpectedCall expectedCall(Metric m, EvalRow row) {
        ToolCallMetrics.ExpectedCall expected = row.expectedToolCall() == null ? null : ToolCallMetrics.expected(row.expectedToolCall());
        if (expected == null) {
            throw new BadEvalRow(m.column() + " needs an expected_tool_call that is a call, not null");
        }
        return expected;
    }

    /** The job's tool schemas, parsed once per task (the scorer arrives serialised). */
    private Map<String, JsonNode> jobSchemas() {
        if (parsedJobSchemas == null) {
            Map<String, JsonNode> parsed = new HashMap<>();
            jobToolSchemas.forEach((name, schema) -> parsed.put(name, EvalJson.column(schema, "the schema of tool " + name)));
            parsedJobSchemas = parsed;
            jobSchemaCheck = new ToolCallMetrics.SchemaCheck(parsed);
        }
        return parsedJobSchemas;
    }

    /** The job's tool schemas overlaid with the row's own declarations (the row's win, as in the agent loop). */
    private Map<String, JsonNode> offeredSchemas(String rowTools) {
        if (rowTools == null) {
            return jobSchemas();
        }
        Map<String, JsonNode> offered = new HashMap<>(jobSchemas());
        JsonNode declarations = EvalJson.column(rowTools, "tools");
        if (!declarations.isArray()) {
            throw new BadEvalRow("tools must be a JSON array of tool declarations");
        }
        for (JsonNode d : declarations) {
            JsonNode function = d.path("function");
            if (!function.path("name").isTextual()) {
                throw new BadEvalRow("tools has an entry that is not an OpenAI function declaration: " + d);
            }
            JsonNode parameters = function.get("parameters");
            offered.put(function.get("name").asText(),
                    parameters == null || parameters.isNull() ? EvalJson.STRICT.createObjectNode() : parameters);
        }
        return offered;
    }

    /** A row's metric column: one name, names separated by commas or spaces, or a JSON array of names. */
    static List<String> metricNames(String spec) {
        String s = spec.strip();
        if (s.startsWith("[")) {
            List<String> names = new ArrayList<>();
            for (JsonNode n : EvalJson.column(s, "metric")) {
                names.add(n.asText());
            }
            return names;
        }
        return List.of(s.split("[,\\s]+"));
    }

    /** The first call of the first tool step as {"name": ..., "arguments": ...}, for people reading the scores. */
    private static String predictedCall(List<ToolCallMetrics.Call> calls) {
        if (calls.isEmpty()) {
            return null;
        }
        ToolCallMetrics.Call first = ToolCallMetrics.firstStep(calls).get(0);
        ObjectNode o = EvalJson.STRICT.createObjectNode();
        o.put("name", first.name());
        JsonNode arguments = ToolCallMetrics.argumentsObject(first.arguments());
        if (arguments != null) {
            o.set("arguments", arguments);
        } else {
            o.put("arguments", first.arguments());
        }
        return o.toString();
    }

    /** For tests and logs: the scores by column name. */
    public static Map<String, Double> byName(RowScore s) {
        Map<String, Double> out = new LinkedHashMap<>();
        s.scores().forEach((m, v) -> out.put(m.column(), v));
        return out;
    }
}
