package org.moebatch.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A metric's interval never leaves [0, 1]. Expected values come from the closed forms in the comments,
 * evaluated with plain Python (math.sqrt), not from this code.
 */
class MetricIntervalTest {
    /** Student's t 0.975 quantile with 2 degrees of freedom: F(t) = 1/2 + t / (2 sqrt(2 + t^2)) = 0.975. */
    private static final double T975_DF2 = 0.95 * Math.sqrt(2 / (1 - 0.95 * 0.95));

    @Test
    void fiveOfSevenIsWilsonNotTheIssuesIntervalPastOne() {
        // issue 16: tool_schema 0.714 [0.263, 1.166] -- seven rows with one call each, five valid, so the
        // fraction scores are 1,1,1,1,1,0,0 and their t interval is 5/7 +- 2.4469 * 0.48795/sqrt(7)
        double sd = Math.sqrt((5 * Math.pow(2.0 / 7, 2) + 2 * Math.pow(5.0 / 7, 2)) / 6);
        assertEquals(1.166, Stats.tInterval(7, 5.0 / 7, sd).hi(), 5e-4, "the interval the issue saw, which this replaces");
        MetricInterval ci = MetricInterval.of(false, 7, 5, sd, 0);
        // Wilson 5/7: p = 0.714286, z^2/n = 0.548780; centre = (p + z^2/14) / 1.548780 = 0.638357,
        // half = z / 1.548780 * sqrt(p(1-p)/7 + z^2/196) = 0.279423 -> [0.358934, 0.917781]
        assertEquals(0.35893445183261935, ci.ci95().lo(), 1e-12);
        assertEquals(0.9177810759959433, ci.ci95().hi(), 1e-12);
        assertEquals("wilson (every score 0 or 1)", ci.method());
    }

    @Test
    void aBinaryMetricIsWilson() {
        MetricInterval ci = MetricInterval.of(true, 7, 5, 0.48795, 0);
        assertEquals(Stats.wilson(5, 7), ci.ci95());
        assertEquals("wilson", ci.method());
        assertEquals(Stats.wilson(3, 3), MetricInterval.of(true, 3, 3, 0.0, 0).ci95(), "all right: [0.438, 1], not [1, 1]");
    }

    @Test
    void fractionsPastOneAreClampedAndSaySo() {
        // scores 1, 1, 0.5: mean 5/6, sd = sqrt((1/36 + 1/36 + 1/9) / 2) = sqrt(1/12);
        // t interval 5/6 +- 4.302653 * sqrt(1/12)/sqrt(3) = [0.116225, 1.550442] -> hi cut to 1
        double sd = Math.sqrt(1.0 / 12);
        MetricInterval ci = MetricInterval.of(false, 3, 2.5, sd, 1);
        assertEquals(5.0 / 6 - T975_DF2 * sd / Math.sqrt(3), ci.ci95().lo(), 1e-9);
        assertEquals(0.11622455, ci.ci95().lo(), 1e-6);
        assertEquals(1.0, ci.ci95().hi(), 0);
        assertEquals("student-t, clamped to [0, 1]", ci.method());
        // and below zero: scores 0, 0, 0.5 mirror them
        MetricInterval low = MetricInterval.of(false, 3, 0.5, sd, 1);
        assertEquals(0.0, low.ci95().lo(), 0);
        assertEquals(1 - 0.11622455, low.ci95().hi(), 1e-6);
        assertEquals("student-t, clamped to [0, 1]", low.method());
    }

    @Test
    void fractionsInsideTheBoundsKeepTheirTInterval() {
        // scores 0.2, 0.4, 0.6, 0.8 (sum 2, sd = sqrt(0.2/3)): 0.5 +- t(3) * sd / 2, well inside [0, 1]
        double sd = Math.sqrt(0.2 / 3);
        MetricInterval ci = MetricInterval.of(false, 4, 2.0, sd, 4);
        assertEquals(Stats.tInterval(4, 0.5, sd), ci.ci95());
        assertEquals("student-t", ci.method());
        assertTrue(ci.ci95().lo() > 0 && ci.ci95().hi() < 1);
    }

    @Test
    void oneFractionHasNoIntervalAndNoRowsHaveNone() {
        assertNull(MetricInterval.of(false, 1, 0.5, null, 1).ci95());
        assertNull(MetricInterval.of(true, 0, 0, null, 0).ci95());
        // a single 0/1 score is a proportion of one: Wilson has an interval for it
        assertEquals(Stats.wilson(1, 1), MetricInterval.of(false, 1, 1, null, 0).ci95());
    }
}
