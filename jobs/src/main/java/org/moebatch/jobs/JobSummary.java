package org.moebatch.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The end of a run, printed and saved as {@code _summary.json}: rows written (ok and error), rows
 * skipped because a previous run had done them, tokens in and out, throughput and wall time.
 */
public record JobSummary(String output, long rows, long ok, long errors, long skipped, long promptTokens,
        long completionTokens, double wallSeconds, String model) {

    public double completionTokensPerSecond() {
        return wallSeconds == 0 ? 0 : completionTokens / wallSeconds;
    }

    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("output", output);
        o.put("model", model);
        o.put("rows", rows);
        o.put("rows_ok", ok);
        o.put("rows_error", errors);
        o.put("rows_skipped_resume", skipped);
        o.put("prompt_tokens", promptTokens);
        o.put("completion_tokens", completionTokens);
        o.put("completion_tokens_per_s", Math.round(completionTokensPerSecond() * 100) / 100.0);
        o.put("wall_s", Math.round(wallSeconds * 100) / 100.0);
        return o;
    }

    /** The human form: one line a reader takes in at a glance. */
    public String describe() {
        return String.format("%d rows (%d ok, %d error%s), %d tokens in, %d out, %.1f tokens/s, %.1f s -> %s",
                rows, ok, errors, skipped > 0 ? ", " + skipped + " already done" : "", promptTokens, completionTokens,
                completionTokensPerSecond(), wallSeconds, output);
    }
}
