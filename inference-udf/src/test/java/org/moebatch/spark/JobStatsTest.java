package org.moebatch.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.moebatch.chat.ChatResult;
import org.moebatch.chat.ToolTraceEntry;

class JobStatsTest {
    @Test
    void histogramQuantilesStayWithinOneBucketOfTheExactOnes() {
        Random random = new Random(7);
        LogHistogram h = new LogHistogram();
        double[] values = new double[5000];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.exp(random.nextGaussian() * 1.5 + 5); // log-normal latencies around 150 ms
            h.add(values[i]);
        }
        java.util.Arrays.sort(values);
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            double exact = values[(int) Math.ceil(q * values.length) - 1];
            double approx = h.quantile(q);
            // the bucket's upper edge: at or above the exact value, at most one bucket width (2^(1/4)) above
            assertEquals(true, approx >= exact && approx <= exact * Math.pow(2, 0.25) + 1e-9,
                    "q" + q + ": " + approx + " vs exact " + exact);
        }
        assertEquals(values[values.length - 1], h.max(), 0);
        assertEquals(java.util.Arrays.stream(values).average().orElseThrow(), h.mean(), 1e-9);
    }

    @Test
    void histogramBucketsByHand() {
        // edges 2^(k/4): [1,1.19) [1.19,1.41) [1.41,1.68) [1.68,2) [2,2.38) ...; 0.5 goes below 1
        assertEquals(0, LogHistogram.bucket(0.5));
        assertEquals(1, LogHistogram.bucket(1.0));
        assertEquals(4, LogHistogram.bucket(1.9));
        assertEquals(5, LogHistogram.bucket(2.0));
        LogHistogram h = new LogHistogram();
        h.add(-3); // ignored: not a latency
        h.add(Double.NaN);
        h.add(1.0);
        h.add(1.9);
        h.add(1.95);
        assertEquals(3, h.count());
        assertArrayEquals(new long[] {1, 0, 0, 2}, h.nonEmptyRange());
        assertEquals(1, h.firstBucket());
        // median = 2nd of 3 values, in bucket 4 [1.68, 2): reported as its upper edge capped at the max (1.95)
        assertEquals(1.95, h.quantile(0.5), 1e-12);
        assertEquals(Math.pow(2, 0.25), h.quantile(0.2), 1e-12);
    }

    @Test
    void mergingTaskStatsCountsEveryRowAndEveryToolCallOnce() {
        JobStats a = new JobStats();
        JobStats b = new JobStats();
        a.record(result("r1", 120, null, List.of(call("calculator", null, 3), call("kv_lookup", "not found", 5))), false);
        a.record(ChatResult.failed("r2", "row 2: column prompt: expected a string"), true);
        b.record(result("r3", 480, null, List.of(call("calculator", null, 7))), false);
        b.record(ChatResult.failed("r4", "duplicate id: 2 input rows share id x"), true);
        b.record(result("r5", 60, "the row passed its deadline of 10 ms", List.of()), false);
        JobStats total = new JobStats();
        total.merge(a);
        total.merge(b);

        assertEquals(Map.of("stop", 2L, "error", 3L), total.finishReasons());
        assertEquals(Map.of("bad input row", 1L, "duplicate id", 1L, "row deadline", 1L), total.errorsByKind());
        assertEquals(3, total.latencyMs().count()); // rows that reached the engine
        assertEquals((120 + 480 + 60) / 3.0, total.latencyMs().mean(), 1e-9);
        assertEquals(2, total.tools().get("calculator").calls());
        assertEquals(0, total.tools().get("calculator").failures());
        assertEquals(1, total.tools().get("kv_lookup").failures());
        assertEquals(5.0, total.tools().get("calculator").latencyMs().mean(), 1e-9);
    }

    @Test
    void eachErrorKindKeepsItsFirstTwentyIdsInIdOrderWhateverTheTaskOrder() {
        JobStats a = new JobStats();
        JobStats b = new JobStats();
        for (int i = 0; i < 30; i++) {
            // ids r00..r29 spread over two tasks, each task seeing them out of order
            JobStats task = i % 2 == 0 ? a : b;
            task.record(ChatResult.failed(String.format("r%02d", 29 - i), "row " + i + ": column prompt: missing"), true);
        }
        a.record(result("ok", 10, null, List.of()), false);
        b.record(result("late", 60, "the row passed its deadline of 10 ms", List.of()), false);
        JobStats ab = new JobStats();
        ab.merge(a);
        ab.merge(b);
        JobStats ba = new JobStats();
        ba.merge(b);
        ba.merge(a);

        List<String> first20 = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            first20.add(String.format("r%02d", i));
        }
        assertEquals(Map.of("bad input row", first20, "row deadline", List.of("late")), ab.errorIds());
        assertEquals(ab.errorIds(), ba.errorIds(), "the merge order does not change which ids are kept");
        assertEquals(30L, ab.errorsByKind().get("bad input row"), "the count stays complete");
    }

    @Test
    void expertLoadIsEachEnginesGrowthOverTheJobNotASumOverItsTasks() {
        // one engine served two overlapping tasks: counters 10 -> 25 and 12 -> 30; the job's share is 30 - 10
        JobStats t1 = new JobStats();
        t1.engineSpan("jvm1/e", new long[][] {{}, {10, 4}}, new long[][] {{}, {25, 9}});
        JobStats t2 = new JobStats();
        t2.engineSpan("jvm1/e", new long[][] {{}, {12, 5}}, new long[][] {{}, {30, 11}});
        JobStats t3 = new JobStats(); // another executor's engine
        t3.engineSpan("jvm2/e", new long[][] {{}, {0, 0}}, new long[][] {{}, {3, 1}});
        JobStats total = new JobStats();
        total.merge(t1);
        total.merge(t2);
        total.merge(t3);
        long[][] load = total.expertLoad();
        assertEquals(0, load[0].length);
        assertArrayEquals(new long[] {20 + 3, 7 + 1}, load[1]);
    }

    private static ChatResult result(String id, double totalMs, String error, List<ToolTraceEntry> trace) {
        return new ChatResult(id, "text", error == null ? "stop" : "error", trace, 10, 5, 0, 0, 1, 2, 0, totalMs, error);
    }

    private static ToolTraceEntry call(String name, String error, double ms) {
        return new ToolTraceEntry(1, "c", name, "{}", error == null ? "ok" : null, error, ms);
    }
}
