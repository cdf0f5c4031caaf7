package org.moebatch.jobs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.moebatch.report.Timeline;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A console line every few seconds on long runs: rows done of total, tokens/s, ETA. Running tasks
 * report their counters with each executor heartbeat, finished tasks with their end; the sum of both
 * is live even when a partition takes an hour.
 */
final class Progress extends SparkListener implements AutoCloseable {
    private final long rowsId;
    private final long tokensId;
    private final long total;
    private final long start = System.nanoTime();
    private final Map<Long, long[]> running = new ConcurrentHashMap<>();
    private final Map<Long, long[]> finished = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final Consumer<String> out;
    private final SparkContext sc;
    private final Timeline timeline = new Timeline();

    Progress(SparkContext sc, LongAccumulator rows, LongAccumulator completionTokens, long total, Consumer<String> out) {
        this.sc = sc;
        this.rowsId = rows.id();
        this.tokensId = completionTokens.id();
        this.total = total;
        this.out = out;
        sc.addSparkListener(this);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "moe-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> out.accept(line()), 5, 5, TimeUnit.SECONDS);
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private void sample() {
        long[] done = done();
        timeline.add((System.nanoTime() - start) / 1e9, done[0], done[1]);
    }

    /** Rows and tokens through the run, for the report; ends with a final sample. */
    Timeline timeline() {
        sample();
        return timeline;
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task
                : CollectionConverters.asJava(update.accumUpdates())) {
            running.put((Long) task._1(), values(CollectionConverters.asJava(task._4())));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        long taskId = end.taskInfo().taskId();
        running.remove(taskId);
        if (end.taskInfo().successful()) {
            finished.put(taskId, values(CollectionConverters.asJava(end.taskInfo().accumulables())));
        }
    }

    private long[] values(java.util.List<AccumulableInfo> infos) {
        long[] v = new long[2];
        for (AccumulableInfo info : infos) {
            if (info.update().isDefined() && info.update().get() instanceof Number) {
                long n = ((Number) info.update().get()).longValue();
                if (info.id() == rowsId) {
                    v[0] = n;
                } else if (info.id() == tokensId) {
                    v[1] = n;
                }
            }
        }
        return v;
    }

    /** Rows and completion tokens done so far: finished tasks' final counts plus running tasks' latest. */
    private long[] done() {
        long rows = 0;
        long tokens = 0;
        for (long[] v : finished.values()) {
            rows += v[0];
            tokens += v[1];
        }
        for (long[] v : running.values()) {
            rows += v[0];
            tokens += v[1];
        }
        return new long[] {rows, tokens};
    }

    String line() {
        long[] done = done();
        long rows = done[0];
        long tokens = done[1];
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = rows / Math.max(seconds, 1e-9);
        String eta = rows == 0 || rows >= total ? "--" : duration((total - rows) / rate);
        return String.format("generate: %d/%d rows (%.0f%%), %.1f tokens/s, %s elapsed, ETA %s", Math.min(rows, total),
                total, total == 0 ? 100.0 : 100.0 * Math.min(rows, total) / total, tokens / Math.max(seconds, 1e-9),
                duration(seconds), eta);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        timer.shutdownNow();
        sc.removeSparkListener(this);
    }
}
