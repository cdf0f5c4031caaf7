package org.moebatch.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The metrics of {@code eval}. Each is a column of the scores: 1 or 0 per row for the binary ones, a
 * fraction for {@link #TOOL_SCHEMA}; null where it does not apply to the row.
 */
public enum Metric {
    /** SQuAD exact match: the normalised completion equals the normalised reference. */
    EXACT_MATCH("exact_match", true),
    /** The normalised reference occurs in the normalised completion, at word boundaries. */
    CONTAINS("contains", true),
    /**
     * The reference, as a Java regular expression, is found in the raw completion. Only where asked for
     * (a row's metric column, or --metric): a plain reference is rarely meant as a pattern.
     */
    REGEX("regex", true),
    /** The answer letter read from the completion is the reference's. */
    MULTIPLE_CHOICE("multiple_choice", true),
    /** The completion is JSON and validates against the row's {@code schema}. */
    JSON_SCHEMA("json_schema", true),
    /** The row called a tool if and only if it was expected to (K2-Vendor-Verifier's tool-call trigger). */
    TOOL_TRIGGER("tool_trigger", true),
    /** Of the calls a row made, the fraction whose arguments validate against the called tool's schema. */
    TOOL_SCHEMA("tool_schema", false),
    /** A call of the first tool step names the expected tool. */
    TOOL_NAME("tool_name", true),
    /** A call of the first tool step names the expected tool with JSON-equal arguments. */
    TOOL_ARGUMENTS("tool_arguments", true),
    /**
     * The row chose as expected: no tool when none was expected, else the expected tool in its first
     * tool step (trigger and name in one per-row score: "did it pick the right tool, or rightly none").
     */
    TOOL_CHOICE("tool_choice", true);

    private final String column;
    private final boolean binary;

    Metric(String column, boolean binary) {
        this.column = column;
        this.binary = binary;
    }

    /** The name on the command line, in the {@code metric} column of an eval row and in the scores. */
    public String column() {
        return column;
    }

    /** 0/1 per row (Wilson interval, McNemar's test) rather than a fraction (t interval, paired t-test). */
    public boolean binary() {
        return binary;
    }

    public boolean isToolMetric() {
        return this == TOOL_TRIGGER || this == TOOL_SCHEMA || this == TOOL_NAME || this == TOOL_ARGUMENTS || this == TOOL_CHOICE;
    }

    /** The metric named {@code name} (case and - or _ do not matter), or an error listing the names. */
    public static Metric parse(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Metric m : values()) {
            if (m.column.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown metric \"" + name + "\" (" + names() + ")");
    }

    /** Several names; a repeated one counts once, the order is the enum's. */
    public static List<Metric> parseAll(List<String> names) {
        List<Metric> parsed = new ArrayList<>();
        for (String n : names) {
            Metric m = parse(n);
            if (!parsed.contains(m)) {
                parsed.add(m);
            }
        }
        parsed.sort(null);
        return parsed;
    }

    public static String names() {
        return Arrays.stream(values()).map(Metric::column).collect(Collectors.joining(", "));
    }
}
