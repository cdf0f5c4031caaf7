package org.moebatch.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The statistics against values computed by hand or independently: the expected numbers below come
 * from the closed forms written in each comment, evaluated with plain Python (math.comb, a Simpson-rule
 * integral of Student's t density for the t quantiles), not from this class.
 */
class StatsTest {
    @Test
    void wilsonIntervalOfSevenOutOfTenMatchesTheClosedForm() {
        // p = 0.7, n = 10, z = 1.959963985, z^2 = 3.841458821
        // denominator = 1 + z^2/n = 1.384145882
        // centre = (0.7 + z^2/20) / 1.384145882 = 0.892072941 / 1.384145882 = 0.644493
        // half = z / 1.384145882 * sqrt(0.21/10 + z^2/400) = 1.415943 * sqrt(0.030603647) = 0.247715
        // -> [0.396778, 0.892209]; the usual published value for 7/10 is (0.3968, 0.8922)
        Stats.Interval ci = Stats.wilson(7, 10);
        assertEquals(0.39677814746114537, ci.lo(), 1e-12);
        assertEquals(0.8922087325936989, ci.hi(), 1e-12);
    }

    @Test
    void wilsonIntervalAtZeroIsNotAPoint() {
        // p = 0: centre = half = (z^2/20) / 1.384145882 = 0.138766 -> [0, 0.277533]; Wald would give [0, 0]
        Stats.Interval ci = Stats.wilson(0, 10);
        assertEquals(0.0, ci.lo(), 1e-15);
        assertEquals(0.2775327998628892, ci.hi(), 1e-12);
        Stats.Interval all = Stats.wilson(10, 10);
        assertEquals(1 - 0.2775327998628892, all.lo(), 1e-12, "symmetric: n/n mirrors 0/n");
        assertEquals(1.0, all.hi(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Stats.wilson(11, 10));
        assertThrows(IllegalArgumentException.class, () -> Stats.wilson(0, 0));
    }

    @Test
    void studentTQuantilesMatchAnIndependentIntegralOfTheDensity() {
        // the 0.975 quantiles found by bisecting a Simpson-rule integral of the t density (200000 steps)
        assertEquals(12.70620473617474, Stats.tQuantile975(1), 1e-8);
        assertEquals(2.77644510519778, Stats.tQuantile975(4), 1e-9);
        assertEquals(2.2621571627982178, Stats.tQuantile975(9), 1e-9);
        assertEquals(2.045229642132729, Stats.tQuantile975(29), 1e-9);
        assertEquals(Stats.Z95, Stats.tQuantile975(1_000_000), 1e-5, "t tends to the normal");
        assertEquals(-Stats.tQuantile975(9), Stats.tQuantile(0.025, 9), 1e-12);
        // two-sided p of t = 2 with 5 degrees of freedom: 2 * (1 - F(2)) = 0.1019395 (the same integral)
        assertEquals(0.1019394788298591, 2 * (1 - Stats.studentTCdf(2.0, 5)), 1e-9);
        assertEquals(0.5, Stats.studentTCdf(0, 3), 1e-15);
    }

    @Test
    void studentTQuantilesMatchTheirClosedFormsToTwelveDigits() {
        // df = 1 is Cauchy: t = tan(π(p - ½)); df = 2: F(t) = ½ + t / (2√(2 + t²)), so t = α√(2 / (1 - α²)), α = 2p - 1.
        // A quantile solved only to the solver's default 1e-9 would miss these.
        assertEquals(Math.tan(Math.PI * 0.475), Stats.tQuantile975(1), 1e-12);
        assertEquals(0.95 * Math.sqrt(2 / (1 - 0.95 * 0.95)), Stats.tQuantile975(2), 1e-12);
        assertEquals(-0.8 * Math.sqrt(2 / (1 - 0.8 * 0.8)), Stats.tQuantile(0.1, 2), 1e-12);
    }

    @Test
    void studentTRejectsWhatHasNoDistribution() {
        IllegalArgumentException df = assertThrows(IllegalArgumentException.class, () -> Stats.tQuantile975(0));
        assertTrue(df.getMessage().contains("degrees of freedom") && df.getMessage().contains("0"), df.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Stats.studentTCdf(1.0, -3));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> Stats.tQuantile(1.0, 5));
        assertTrue(p.getMessage().contains("probability"), p.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Stats.tQuantile(Double.NaN, 5));
        assertEquals(1.0, Stats.studentTCdf(Double.POSITIVE_INFINITY, 5), 0);
        assertEquals(0.0, Stats.studentTCdf(Double.NEGATIVE_INFINITY, 5), 0);
    }

    @Test
    void tIntervalOfOneToFive() {
        // mean 3; s^2 = (4+1+0+1+4)/4 = 2.5, s = 1.581139; s/sqrt(5) = 0.707107
        // t(0.975, 4) = 2.776445 -> half-width 1.963243 -> [1.036757, 4.963243]
        Stats.MeanCi m = Stats.meanWithT(new double[] {1, 2, 3, 4, 5});
        assertEquals(5, m.n());
        assertEquals(3.0, m.mean(), 1e-15);
        assertEquals(Math.sqrt(2.5), m.sd(), 1e-15);
        assertEquals(1.0367568385224524, m.interval().lo(), 1e-9);
        assertEquals(4.963243161477548, m.interval().hi(), 1e-9);
        assertNull(Stats.meanWithT(new double[] {0.5}).interval(), "one value has no interval");
    }

    @Test
    void mcnemarExactPForKnownDiscordantSplits() {
        // b = 1, c = 9: n = 10, P(X <= 1) = (C(10,0) + C(10,1)) / 2^10 = 11/1024; two-sided 22/1024 = 0.021484375
        assertEquals(0.021484375, Stats.mcnemarExact(1, 9), 1e-15);
        assertEquals(0.021484375, Stats.mcnemarExact(9, 1), 1e-15, "symmetric in b and c");
        // b = 3, c = 12: P(X <= 3) = (1 + 15 + 105 + 455) / 32768 = 576/32768; two-sided 0.03515625
        assertEquals(0.03515625, Stats.mcnemarExact(3, 12), 1e-14);
        // b = c = 2: 2 * (1 + 4 + 6)/16 = 1.375, capped at 1
        assertEquals(1.0, Stats.mcnemarExact(2, 2), 0);
        assertEquals(1.0, Stats.mcnemarExact(0, 0), 0, "no discordant pairs, no evidence");
        // b = 0, c = 6: 2 / 64 = 0.03125
        assertEquals(0.03125, Stats.mcnemarExact(0, 6), 1e-15);
        // a large split stays finite: b = 400, c = 600 is far in the tail but not 0 or NaN
        double p = Stats.mcnemarExact(400, 600);
        assertTrue(p > 0 && p < 1e-9, "p = " + p);
    }

    @Test
    void pairedTTestOnHandComputedDifferences() {
        // d = b - a = [0.5, 0.1, 0.3, 0.2, 0.4]: mean 0.3; s^2 = (0.04+0.04+0+0.01+0.01)/4 = 0.025;
        // s/sqrt(5) = 0.0707107; t = 0.3 / 0.0707107 = 4.242641 with 4 df; two-sided p = 0.0132356
        double[] a = {0.0, 0.2, 0.1, 0.3, 0.1};
        double[] b = {0.5, 0.3, 0.4, 0.5, 0.5};
        Stats.PairedT t = Stats.pairedT(a, b);
        assertEquals(0.3, t.meanDifference(), 1e-12);
        assertEquals(4.242640687119285, t.t(), 1e-9);
        assertEquals(0.013235599563682143, t.p(), 1e-7);
        // interval: 0.3 +- 2.776445 * 0.0707107 = [0.103676, 0.496324]
        assertEquals(0.3 - 2.77644510519778 * Math.sqrt(0.025 / 5), t.interval().lo(), 1e-9);
        Stats.PairedT same = Stats.pairedT(b, b);
        assertEquals(0.0, same.meanDifference(), 0);
        assertEquals(1.0, same.p(), 0, "a run against itself: no difference, p = 1");
        assertEquals(0.0, same.interval().lo(), 0);
        assertEquals(0.0, same.interval().hi(), 0);
    }

    @Test
    void f1OfASmallConfusionTable() {
        // TP 3, FP 1, FN 2, TN 4: precision 3/4, recall 3/5, F1 = 2PR/(P+R) = 0.9/1.35 = 2/3 = 6/9 = 2TP/(2TP+FP+FN)
        assertEquals(2.0 / 3, Stats.f1(3, 1, 2), 1e-15);
        assertEquals(0.0, Stats.f1(0, 0, 6), 0, "positives expected, none found");
        assertTrue(Double.isNaN(Stats.f1(0, 0, 0)), "no positives anywhere: undefined");
    }

    @Test
    void f1BootstrapIsRepeatableAndBracketsThePointEstimate() {
        Stats.Interval a = Stats.f1Bootstrap(30, 10, 20, 40, 2000, 7);
        Stats.Interval b = Stats.f1Bootstrap(30, 10, 20, 40, 2000, 7);
        assertEquals(a, b, "a fixed seed gives the same interval");
        double f1 = Stats.f1(30, 10, 20); // 60/90
        assertTrue(a.lo() < f1 && f1 < a.hi(), a + " around " + f1);
        // n = 100 rows: the interval's width is about 2 * 1.96 * se with se near 0.05, so 0.1 to 0.3
        assertTrue(a.hi() - a.lo() > 0.1 && a.hi() - a.lo() < 0.3, a.toString());
        assertNull(Stats.f1Bootstrap(0, 0, 0, 5, 100, 7), "no positives: no interval");
    }

    @Test
    void percentileIsNumpysLinearDefault() {
        // numpy.percentile([1,2,3,4], 25) = 1 + 0.75 * (2 - 1) = 1.75
        assertEquals(1.75, Stats.percentile(new double[] {1, 2, 3, 4}, 0.25), 1e-15);
    }
}
