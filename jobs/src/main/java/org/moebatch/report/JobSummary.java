package org.moebatch.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The end of a run, printed and saved as {@code _summary.json}. Rows and tokens count the whole
 * output directory, so after {@code --resume} it describes the finished dataset; what this run did
 * itself ({@code rowsThisRun}, its completion tokens) gives the throughput.
 *
 * @param rows                    rows in the output, ok and error
 * @param rowsThisRun             of those, the rows this run generated (the rest were there before: resume)
 * @param promptTokens            prompt tokens over the whole output
 * @param completionTokens        completion tokens over the whole output
 * @param completionTokensThisRun completion tokens this run generated
 */
public record JobSummary(String output, long rows, long ok, long errors, long rowsThisRun, long promptTokens,
        long completionTokens, long completionTokensThisRun, double wallSeconds, String model) {

    /** Rows an earlier run had written, which this one skipped. */
    public long skipped() {
        return rows - rowsThisRun;
    }

    public double completionTokensPerSecond() {
        return wallSeconds == 0 ? 0 : completionTokensThisRun / wallSeconds;
    }

    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("output", output);
        o.put("model", model);
        o.put("complete", true);
        o.put("rows", rows);
        o.put("rows_ok", ok);
        o.put("rows_error", errors);
        o.put("rows_this_run", rowsThisRun);
        o.put("rows_skipped_resume", skipped());
        o.put("prompt_tokens", promptTokens);
        o.put("completion_tokens", completionTokens);
        o.put("completion_tokens_this_run", completionTokensThisRun);
        o.put("completion_tokens_per_s", Math.round(completionTokensPerSecond() * 100) / 100.0);
        o.put("wall_s", Math.round(wallSeconds * 100) / 100.0);
        return o;
    }

    /** The human form: one line a reader takes in at a glance. */
    public String describe() {
        return String.format("%d rows (%d ok, %d error%s), %d tokens in, %d out, %.1f tokens/s, %.1f s -> %s",
                rows, ok, errors, skipped() > 0 ? "; " + rowsThisRun + " this run, " + skipped() + " done before" : "",
                promptTokens, completionTokens, completionTokensPerSecond(), wallSeconds, output);
    }
}
