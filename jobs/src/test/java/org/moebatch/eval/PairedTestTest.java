package org.moebatch.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The paired comparison picks its test by the metric's kind and counts discordant pairs. */
class PairedTestTest {
    @Test
    void binaryScoresUseMcNemarOnTheDiscordantPairs() {
        // 12 pairs: 1 where only A is right, 9 where only B is right, 2 where both are right
        double[] a = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
        double[] b = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        PairedTest.Result r = PairedTest.compare(a, b, true);
        assertEquals("mcnemar-exact", r.test());
        assertEquals(1, r.aOnly());
        assertEquals(9, r.bOnly());
        assertEquals(0.021484375, r.p(), 1e-15, "2 * 11/1024, as in StatsTest");
        assertEquals(3.0 / 12, r.meanA(), 1e-15);
        assertEquals(11.0 / 12, r.meanB(), 1e-15);
        assertEquals(8.0 / 12, r.difference(), 1e-15);
    }

    @Test
    void aRunAgainstItselfDiffersByNothing() {
        double[] a = {1, 0, 1, 1, 0};
        PairedTest.Result r = PairedTest.compare(a, a, true);
        assertEquals(0.0, r.difference(), 0);
        assertEquals(1.0, r.p(), 0);
        assertEquals(0.0, r.interval().lo(), 0);
        assertEquals(0.0, r.interval().hi(), 0);
        double[] f = {0.5, 0.25, 1};
        assertEquals(1.0, PairedTest.compare(f, f, false).p(), 0);
    }

    @Test
    void fractionsUseThePairedTTest() {
        PairedTest.Result r = PairedTest.compare(new double[] {0.0, 0.2, 0.1, 0.3, 0.1}, new double[] {0.5, 0.3, 0.4, 0.5, 0.5}, false);
        assertEquals("paired-t", r.test());
        assertEquals(4.242640687119285, r.statistic(), 1e-9);
        assertEquals(0.013235599563682143, r.p(), 1e-7);
    }

    @Test
    void aBinaryMetricWithOtherValuesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PairedTest.compare(new double[] {0.5}, new double[] {1}, true));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> PairedTest.compare(new double[] {0.5, 0}, new double[] {1, 1.5}, false));
        assertTrue(outside.getMessage().contains("outside [0, 1]: 0.0 / 1.5 at pair 1"), outside.getMessage());
    }

    @Test
    void theDifferenceIntervalStaysWithinMinusOneAndOne() {
        // differences 1, 1, 0: mean 2/3, sd = sqrt(1/3), t(0.975, 2) = 0.95 * sqrt(2 / 0.0975) = 4.302653;
        // t interval 2/3 +- 4.302653 * sqrt(1/3)/sqrt(3) = [-0.767551, 2.100884] -> hi cut to 1
        double t2 = 0.95 * Math.sqrt(2 / (1 - 0.95 * 0.95));
        for (boolean binary : new boolean[] {true, false}) {
            PairedTest.Result r = PairedTest.compare(new double[] {0, 0, 0}, new double[] {1, 1, 0}, binary);
            assertEquals(2.0 / 3 - t2 / 3, r.interval().lo(), 1e-9);
            assertEquals(-0.76755, r.interval().lo(), 1e-5);
            assertEquals(1.0, r.interval().hi(), 0, "B - A cannot exceed 1");
            assertEquals("student-t, clamped to [-1, 1]", r.intervalMethod());
            PairedTest.Result mirrored = PairedTest.compare(new double[] {1, 1, 0}, new double[] {0, 0, 0}, binary);
            assertEquals(-1.0, mirrored.interval().lo(), 0, "B - A cannot fall below -1");
            assertEquals(0.76755, mirrored.interval().hi(), 1e-5);
        }
        PairedTest.Result inside = PairedTest.compare(new double[] {0.0, 0.2, 0.1, 0.3, 0.1}, new double[] {0.5, 0.3, 0.4, 0.5, 0.5}, false);
        assertEquals("student-t", inside.intervalMethod());
    }
}
