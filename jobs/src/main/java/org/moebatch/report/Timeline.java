package org.moebatch.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows and completion tokens done so far, sampled through a run: the data of the report's
 * throughput-over-time chart. Keeps at most {@value #MAX_POINTS} points: past that it drops every
 * other one and samples half as often, so a week-long job costs the same memory as a minute-long one.
 * Written by one sampling thread, read by the driver at the end.
 */
public final class Timeline {
    static final int MAX_POINTS = 512;

    /** One sample: seconds since the start, cumulative rows and completion tokens. */
    public record Point(double seconds, long rows, long completionTokens) {}

    private final List<Point> points = new ArrayList<>();
    private int stride = 1;
    private long offered;

    public synchronized void add(double seconds, long rows, long completionTokens) {
        if (offered++ % stride != 0) {
            return;
        }
        points.add(new Point(seconds, rows, completionTokens));
        if (points.size() > MAX_POINTS) {
            List<Point> kept = new ArrayList<>();
            for (int i = 0; i < points.size(); i += 2) {
                kept.add(points.get(i));
            }
            points.clear();
            points.addAll(kept);
            stride *= 2;
        }
    }

    public synchronized List<Point> points() {
        return List.copyOf(points);
    }

    /**
     * Completion tokens per second between consecutive samples, as {@code [seconds, rate]} at each
     * interval's end: the curve a reader wants (is it steady? did it stall?).
     */
    public synchronized List<double[]> tokenRate() {
        List<double[]> rates = new ArrayList<>();
        for (int i = 1; i < points.size(); i++) {
            Point a = points.get(i - 1);
            Point b = points.get(i);
            double dt = b.seconds() - a.seconds();
            if (dt > 0) {
                rates.add(new double[] {b.seconds(), (b.completionTokens() - a.completionTokens()) / dt});
            }
        }
        return rates;
    }
}
