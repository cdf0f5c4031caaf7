package org.moebatch.eval;

/**
 * Two runs scored on the same rows: the mean of each, the mean per-row difference B - A with its 95%
 * t interval (inside [-1, 1]), and a significance test: McNemar's exact test for 0/1 scores, a paired t-test for fractions.
 * Pairing removes the variation between rows (easy and hard questions) that two independent means
 * would carry, so a small change on the same set is seen.
 */
public final class PairedTest {
    /**
     * @param n          pairs
     * @param meanA      mean of A over the pairs
     * @param meanB      mean of B over the pairs
     * @param difference mean of B - A
     * @param interval   95% t interval of the difference, null below two pairs; never outside [-1, 1]
     * @param intervalMethod "student-t", or "student-t, clamped to [-1, 1]" where the t interval reached past a bound
     * @param test       "mcnemar-exact" or "paired-t"
     * @param aOnly      binary: pairs A got right and B wrong (McNemar's b); -1 otherwise
     * @param bOnly      binary: pairs B got right and A wrong (McNemar's c); -1 otherwise
     * @param statistic  t for the paired t-test, the smaller discordant count for McNemar
     * @param p          two-sided p-value, NaN when there is nothing to test
     */
    public record Result(long n, double meanA, double meanB, double difference, Stats.Interval interval, String intervalMethod,
            String test, long aOnly, long bOnly, double statistic, double p) {}

    static final String STUDENT_T = "student-t";
    static final String STUDENT_T_CLAMPED = "student-t, clamped to [-1, 1]";

    private PairedTest() {}

    public static Result compare(double[] a, double[] b, boolean binary) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired samples differ in size: " + a.length + " and " + b.length);
        }
        int n = a.length;
        for (int i = 0; i < n; i++) {
            if (!(a[i] >= 0 && a[i] <= 1) || !(b[i] >= 0 && b[i] <= 1)) {
                throw new IllegalArgumentException("a metric's score is outside [0, 1]: " + a[i] + " / " + b[i] + " at pair " + i);
            }
        }
        double sumA = 0;
        double sumB = 0;
        for (int i = 0; i < n; i++) {
            sumA += a[i];
            sumB += b[i];
        }
        double meanA = n == 0 ? Double.NaN : sumA / n;
        double meanB = n == 0 ? Double.NaN : sumB / n;
        Stats.PairedT t = Stats.pairedT(a, b);
        // Scores lie in [0, 1], so a per-row difference, and the mean of the differences, lies in
        // [-1, 1]. At small n the t interval can reach past that (differences 1, 1, 0 give
        // [-0.768, 2.101]); beyond a bound are impossible values, not uncertainty, so they are cut off.
        Stats.Interval interval = t.interval() == null ? null : t.interval().within(-1, 1);
        String method = interval == null || interval.equals(t.interval()) ? STUDENT_T : STUDENT_T_CLAMPED;
        if (!binary) {
            return new Result(n, meanA, meanB, t.meanDifference(), interval, method, "paired-t", -1, -1, t.t(), t.p());
        }
        long aOnly = 0;
        long bOnly = 0;
        for (int i = 0; i < n; i++) {
            if (!(a[i] == 0 || a[i] == 1) || !(b[i] == 0 || b[i] == 1)) {
                throw new IllegalArgumentException("a 0/1 metric has the score " + a[i] + " / " + b[i] + " at pair " + i);
            }
            if (a[i] > b[i]) {
                aOnly++;
            } else if (b[i] > a[i]) {
                bOnly++;
            }
        }
        double p = n == 0 ? Double.NaN : Stats.mcnemarExact(aOnly, bOnly);
        return new Result(n, meanA, meanB, t.meanDifference(), interval, method, "mcnemar-exact", aOnly, bOnly,
                Math.min(aOnly, bOnly), p);
    }
}
