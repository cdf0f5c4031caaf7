package org.moebatch.spark;

import java.io.Serializable;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.moebatch.chat.ChatResult;
import org.moebatch.chat.ToolTraceEntry;

/**
 * What a job's report shows about its rows, gathered by the tasks and merged on the driver: latency
 * and token-count distributions, finish reasons, errors by kind, tool use per tool, and the experts'
 * load per layer. Mergeable and small whatever the row count; one instance per task, not shared.
 */
public final class JobStats implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Row ids kept per error kind: enough to find the rows, small whatever the row count (the counts are complete). */
    public static final int ERROR_IDS_KEPT = 20;

    /** Calls of one tool: how many, how many failed, how long they took. */
    public static final class ToolUse implements Serializable {
        private static final long serialVersionUID = 1L;
        private long calls;
        private long failures;
        private final LogHistogram latencyMs = new LogHistogram();

        public long calls() {
            return calls;
        }

        public long failures() {
            return failures;
        }

        public LogHistogram latencyMs() {
            return latencyMs;
        }

        void merge(ToolUse other) {
            calls += other.calls;
            failures += other.failures;
            latencyMs.merge(other.latencyMs);
        }
    }

    /**
     * One resident engine's expert counters when a task started and when it ended. The counters only
     * grow, and an engine serves many tasks at once, so the job's share is the latest end minus the
     * earliest start, not a sum over tasks.
     */
    private static final class EngineSpan implements Serializable {
        private static final long serialVersionUID = 1L;
        final long[][] start;
        final long[][] end;

        EngineSpan(long[][] start, long[][] end) {
            this.start = start;
            this.end = end;
        }

        EngineSpan merge(EngineSpan other) {
            long[][] s = copy(start);
            long[][] e = copy(end);
            for (int l = 0; l < s.length; l++) {
                for (int x = 0; x < s[l].length; x++) {
                    s[l][x] = Math.min(s[l][x], other.start[l][x]);
                    e[l][x] = Math.max(e[l][x], other.end[l][x]);
                }
            }
            return new EngineSpan(s, e);
        }
    }

    private final LogHistogram latencyMs = new LogHistogram();
    private final LogHistogram promptTokens = new LogHistogram();
    private final LogHistogram completionTokens = new LogHistogram();
    private final Map<String, Long> finishReasons = new TreeMap<>();
    private final Map<String, Long> errorsByKind = new TreeMap<>();
    /** The first ERROR_IDS_KEPT ids of each kind in id order: tasks finish in any order, so "first" is by id, not by arrival. */
    private final Map<String, TreeSet<String>> errorIds = new TreeMap<>();
    private final Map<String, ToolUse> tools = new TreeMap<>();
    private final Map<String, EngineSpan> engines = new HashMap<>();

    /** Counts one finished row; {@code inputError} marks a row that never reached the engine. */
    public void record(ChatResult result, boolean inputError) {
        finishReasons.merge(result.finishReason(), 1L, Long::sum);
        if (result.error() != null) {
            String kind = errorKind(result.error(), inputError);
            errorsByKind.merge(kind, 1L, Long::sum);
            keepId(kind, String.valueOf(result.id()));
        }
        if (!inputError) {
            latencyMs.add(result.totalMs());
            promptTokens.add(result.promptTokens());
            completionTokens.add(result.completionTokens());
        }
        for (ToolTraceEntry call : result.toolTrace()) {
            ToolUse use = tools.computeIfAbsent(call.name() == null ? "(unnamed)" : call.name(), k -> new ToolUse());
            use.calls++;
            if (call.error() != null) {
                use.failures++;
            }
            use.latencyMs.add(call.latencyMs());
        }
    }

    private void keepId(String kind, String id) {
        TreeSet<String> ids = errorIds.computeIfAbsent(kind, k -> new TreeSet<>());
        ids.add(id);
        if (ids.size() > ERROR_IDS_KEPT) {
            ids.pollLast();
        }
    }

    /** The kind an error is counted under in the report: what a reader would fix first. */
    static String errorKind(String error, boolean inputError) {
        if (error.startsWith("duplicate id")) {
            return "duplicate id";
        }
        if (inputError) {
            return "bad input row";
        }
        if (error.contains("deadline")) {
            return "row deadline";
        }
        if (error.contains("context") || error.contains("too long")) {
            return "prompt too long";
        }
        return "generation";
    }

    /** Records an engine's expert counters at a task's start and end ({@code [layer][expert]}). */
    public void engineSpan(String engine, long[][] start, long[][] end) {
        engines.merge(engine, new EngineSpan(copy(start), copy(end)), EngineSpan::merge);
    }

    public void merge(JobStats other) {
        latencyMs.merge(other.latencyMs);
        promptTokens.merge(other.promptTokens);
        completionTokens.merge(other.completionTokens);
        other.finishReasons.forEach((k, v) -> finishReasons.merge(k, v, Long::sum));
        other.errorsByKind.forEach((k, v) -> errorsByKind.merge(k, v, Long::sum));
        other.errorIds.forEach((k, ids) -> ids.forEach(id -> keepId(k, id)));
        other.tools.forEach((k, v) -> tools.computeIfAbsent(k, x -> new ToolUse()).merge(v));
        other.engines.forEach((k, v) -> engines.merge(k, v, EngineSpan::merge));
    }

    /** Tokens each expert received during the job, {@code [layer][expert]}, summed over engines; dense layers' rows are empty. */
    public long[][] expertLoad() {
        long[][] total = null;
        for (EngineSpan span : engines.values()) {
            if (total == null) {
                total = new long[span.end.length][];
                for (int l = 0; l < total.length; l++) {
                    total[l] = new long[span.end[l].length];
                }
            }
            for (int l = 0; l < total.length; l++) {
                for (int e = 0; e < total[l].length; e++) {
                    total[l][e] += span.end[l][e] - span.start[l][e];
                }
            }
        }
        return total == null ? new long[0][] : total;
    }

    public boolean isEmpty() {
        return finishReasons.isEmpty() && engines.isEmpty();
    }

    public LogHistogram latencyMs() {
        return latencyMs;
    }

    public LogHistogram promptTokens() {
        return promptTokens;
    }

    public LogHistogram completionTokens() {
        return completionTokens;
    }

    public Map<String, Long> finishReasons() {
        return Collections.unmodifiableMap(finishReasons);
    }

    public Map<String, Long> errorsByKind() {
        return Collections.unmodifiableMap(errorsByKind);
    }

    /** Per error kind, the ids of its first {@link #ERROR_IDS_KEPT} rows in id order; {@link #errorsByKind} has how many there are. */
    public Map<String, List<String>> errorIds() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        errorIds.forEach((k, ids) -> out.put(k, List.copyOf(ids)));
        return out;
    }

    public Map<String, ToolUse> tools() {
        return Collections.unmodifiableMap(tools);
    }

    private static long[][] copy(long[][] a) {
        long[][] c = new long[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
