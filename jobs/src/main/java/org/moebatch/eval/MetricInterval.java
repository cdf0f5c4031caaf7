package org.moebatch.eval;

/**
 * The 95% interval of a metric's mean over rows, and the name of the method that gave it (the
 * {@code interval} field of metrics.json). Every metric scores a row in [0, 1], so its mean and both
 * ends of its interval lie in [0, 1].
 *
 * @param ci95   the interval, null where n is too small to have one
 * @param method how it was computed: "wilson", "wilson (every score 0 or 1)", "student-t", or
 *               "student-t, clamped to [0, 1]"
 */
public record MetricInterval(Stats.Interval ci95, String method) {
    static final String WILSON = "wilson";
    static final String WILSON_ALL_BINARY = "wilson (every score 0 or 1)";
    static final String STUDENT_T = "student-t";
    static final String STUDENT_T_CLAMPED = "student-t, clamped to [0, 1]";

    /**
     * @param binaryMetric       the metric scores 0 or 1 by definition
     * @param n                  rows scored
     * @param sum                sum of their scores
     * @param sd                 sample standard deviation of the scores (divisor n - 1), null below n = 2
     * @param notZeroOrOne       how many of the scores are neither 0 nor 1
     */
    public static MetricInterval of(boolean binaryMetric, long n, double sum, Double sd, long notZeroOrOne) {
        if (n <= 0) {
            return new MetricInterval(null, binaryMetric ? WILSON : STUDENT_T);
        }
        if (binaryMetric || notZeroOrOne == 0) {
            // A fraction metric whose every score is 0 or 1 (tool_schema where each row made one call)
            // is a proportion in fact: its t interval is the Wald interval, which leaves [0, 1] at small
            // n (5 of 7 gave [0.263, 1.166]); Wilson's does not.
            long successes = Math.round(sum);
            return new MetricInterval(Stats.wilson(successes, n), binaryMetric ? WILSON : WILSON_ALL_BINARY);
        }
        Stats.Interval t = sd == null ? null : Stats.tInterval(n, sum / n, sd);
        if (t == null) {
            return new MetricInterval(null, STUDENT_T);
        }
        // Scores between 0 and 1 have no exact small-sample interval a reader can recompute; the t
        // interval is the usual one, and since a mean of values in [0, 1] cannot leave [0, 1], the
        // part past a bound is impossible, not uncertain: it is cut off, and the method says so.
        Stats.Interval clamped = t.within(0, 1);
        return new MetricInterval(clamped, clamped.equals(t) ? STUDENT_T : STUDENT_T_CLAMPED);
    }
}
