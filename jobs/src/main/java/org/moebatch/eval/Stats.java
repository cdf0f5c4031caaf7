package org.moebatch.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.special.Gamma;

/**
 * The statistics of an evaluation: confidence intervals of a mean and the distributions behind them.
 * Every interval is two-sided at 95%; every formula is one a reader can check by hand. The special
 * functions under them (Student's t, ln Γ) are commons-math3's, which Spark already brings.
 */
public final class Stats {
    /** The 0.975 quantile of the standard normal distribution: a 95% two-sided interval. */
    public static final double Z95 = 1.959963984540054;
    /** How closely a t quantile is solved for (absolute); see {@link #studentT}. */
    private static final double QUANTILE_ACCURACY = 1e-14;

    private Stats() {}

    /** A closed interval; {@code lo <= hi}. */
    public record Interval(double lo, double hi) {
        public double[] toArray() {
            return new double[] {lo, hi};
        }

        /**
         * This interval cut to [min, max], the values the estimated quantity can take at all: an end
         * past a bound claims values that no sample could produce.
         */
        public Interval within(double min, double max) {
            return new Interval(Math.max(min, Math.min(max, lo)), Math.min(max, Math.max(min, hi)));
        }
    }

    /** A sample mean with its interval; {@code interval} is null when n is too small to have one. */
    public record MeanCi(long n, double mean, double sd, Interval interval) {}

    /**
     * Wilson score interval of a proportion k/n (Wilson 1927, "Probable inference, the law of
     * succession, and statistical inference"): the set of p whose score test |p̂ - p| / sqrt(p(1-p)/n)
     * does not reject at z. Unlike the Wald interval p̂ ± z·sqrt(p̂(1-p̂)/n) it stays inside [0, 1] and
     * does not collapse to a point at 0/n or n/n, which matters for the near-zero scores of a weak model.
     *
     * <pre>
     * centre    = (p̂ + z²/2n) / (1 + z²/n)
     * halfwidth = z / (1 + z²/n) · sqrt(p̂(1-p̂)/n + z²/4n²)
     * </pre>
     */
    public static Interval wilson(long successes, long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("a proportion needs n > 0, is " + n);
        }
        if (successes < 0 || successes > n) {
            throw new IllegalArgumentException("successes " + successes + " out of " + n);
        }
        double p = (double) successes / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double half = Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        // clamp the rounding of 0/n and n/n, whose exact bounds are 0 and 1
        return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
    }

    /**
     * Mean with a Student t interval, mean ± t(0.975, n-1) · s/√n, s the sample standard deviation
     * (divisor n-1). For a mean of bounded scores the t interval is what a reader can recompute with a
     * table; n = 1 has no interval.
     */
    public static MeanCi meanWithT(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new MeanCi(0, Double.NaN, Double.NaN, null);
        }
        double mean = Arrays.stream(values).sum() / n;
        if (n == 1) {
            return new MeanCi(1, mean, Double.NaN, null);
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(squares / (n - 1));
        return new MeanCi(n, mean, sd, tInterval(n, mean, sd));
    }

    /** mean ± t(0.975, n-1) · sd/√n from the summary of a sample (sd with divisor n-1); null below n = 2. */
    public static Interval tInterval(long n, double mean, double sd) {
        if (n < 2) {
            return null;
        }
        double half = tQuantile975(n - 1) * sd / Math.sqrt(n);
        return new Interval(mean - half, mean + half);
    }

    /**
     * Two-sided p-value of McNemar's exact test (McNemar 1947) for paired 0/1 outcomes: under the null
     * hypothesis the b pairs that only A got right and the c pairs that only B got right are
     * Binomial(b + c, 1/2). p = min(1, 2 · P(X ≤ min(b, c))). Concordant pairs carry no information.
     */
    public static double mcnemarExact(long b, long c) {
        if (b < 0 || c < 0) {
            throw new IllegalArgumentException("discordant counts must not be negative: b=" + b + ", c=" + c);
        }
        long n = b + c;
        if (n == 0) {
            return 1.0;
        }
        long k = Math.min(b, c);
        // P(X ≤ k) = Σ C(n, i) / 2^n, summed in log space so that n in the millions does not overflow
        double tail = 0;
        for (long i = 0; i <= k; i++) {
            tail += Math.exp(logChoose(n, i) - n * Math.log(2));
        }
        return Math.min(1.0, 2 * tail);
    }

    /** Result of a paired t-test: the mean difference, its t interval, the statistic and two-sided p. */
    public record PairedT(long n, double meanDifference, double sd, Interval interval, double t, double p) {}

    /**
     * Paired t-test (Student 1908) on the per-row differences d = b - a: t = mean(d) / (s_d/√n) with
     * n-1 degrees of freedom, two-sided p = 2·(1 - F_t(|t|)). When every difference is the same the
     * statistic is not defined: p is 1 if that difference is 0, else 0 (no variation at all).
     */
    public static PairedT pairedT(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired samples differ in size: " + a.length + " and " + b.length);
        }
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = b[i] - a[i];
        }
        MeanCi m = meanWithT(d);
        if (m.n() < 2) {
            return new PairedT(m.n(), m.mean(), Double.NaN, null, Double.NaN, Double.NaN);
        }
        if (m.sd() == 0) {
            return new PairedT(m.n(), m.mean(), 0, m.interval(), m.mean() == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, m.mean()),
                    m.mean() == 0 ? 1.0 : 0.0);
        }
        double t = m.mean() / (m.sd() / Math.sqrt(m.n()));
        double p = 2 * (1 - studentTCdf(Math.abs(t), m.n() - 1));
        return new PairedT(m.n(), m.mean(), m.sd(), m.interval(), t, Math.min(1.0, Math.max(0.0, p)));
    }

    /** F1 of a confusion table, 2TP / (2TP + FP + FN); NaN when there are no positives at all. */
    public static double f1(long tp, long fp, long fn) {
        long denominator = 2 * tp + fp + fn;
        return denominator == 0 ? Double.NaN : 2.0 * tp / denominator;
    }

    /**
     * Percentile bootstrap interval of F1 (Efron 1979) over rows: a resample draws n rows with
     * replacement, which for F1 (a function of the four counts only) is a multinomial draw over the
     * cells TP, FP, FN, TN. The seed is fixed so that a rerun prints the same interval; resamples
     * without a single positive (F1 undefined) are left out. Null when the table has no positives.
     */
    public static Interval f1Bootstrap(long tp, long fp, long fn, long tn, int resamples, long seed) {
        long n = tp + fp + fn + tn;
        if (n == 0 || Double.isNaN(f1(tp, fp, fn))) {
            return null;
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] f1s = new double[resamples];
        int kept = 0;
        for (int r = 0; r < resamples; r++) {
            long rtp = 0;
            long rfp = 0;
            long rfn = 0;
            for (long i = 0; i < n; i++) {
                long u = random.nextLong(n); // the drawn row's cell, rows laid out TP, FP, FN, TN
                if (u < tp) {
                    rtp++;
                } else if (u < tp + fp) {
                    rfp++;
                } else if (u < tp + fp + fn) {
                    rfn++;
                }
            }
            double f = f1(rtp, rfp, rfn);
            if (!Double.isNaN(f)) {
                f1s[kept++] = f;
            }
        }
        if (kept == 0) {
            return null;
        }
        double[] sorted = Arrays.copyOf(f1s, kept);
        Arrays.sort(sorted);
        return new Interval(percentile(sorted, 0.025), percentile(sorted, 0.975));
    }

    /** The q-quantile of sorted values, linear between closest ranks (NumPy's default, "type 7"). */
    static double percentile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The 0.975 quantile of Student's t with {@code df} degrees of freedom (the 95% two-sided critical value). */
    public static double tQuantile975(long df) {
        return tQuantile(0.975, df);
    }

    /** Quantile of Student's t with {@code df} degrees of freedom. */
    public static double tQuantile(double probability, long df) {
        if (!(probability > 0 && probability < 1)) { // NaN too
            throw new IllegalArgumentException("probability must be in (0, 1), is " + probability);
        }
        return studentT(df).inverseCumulativeProbability(probability);
    }

    /**
     * CDF of Student's t with ν degrees of freedom; commons-math3 evaluates it through the regularized
     * incomplete beta function (Abramowitz and Stegun 26.7.1): for t ≥ 0, F(t) = 1 - ½·I_x(ν/2, ½) with
     * x = ν / (ν + t²).
     */
    public static double studentTCdf(double t, long df) {
        return studentT(df).cumulativeProbability(t);
    }

    /**
     * Student's t with {@code df} degrees of freedom. No random generator (only sampling needs one,
     * and seeding one costs more than the whole quantile); the quantile is solved to 1e-14 rather than
     * the library's default 1e-9, so that a printed interval keeps every digit it shows.
     */
    private static TDistribution studentT(long df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be at least 1, is " + df);
        }
        return new TDistribution(null, df, QUANTILE_ACCURACY);
    }

    /** ln C(n, k), through ln Γ (exact factorials overflow long before n reaches an eval set's size). */
    static double logChoose(long n, long k) {
        return Gamma.logGamma(n + 1.0) - Gamma.logGamma(k + 1.0) - Gamma.logGamma(n - k + 1.0);
    }
}
