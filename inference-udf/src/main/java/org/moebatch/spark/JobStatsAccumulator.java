package org.moebatch.spark;

import org.apache.spark.util.AccumulatorV2;

/** Spark's carrier for {@link JobStats}: each task adds its own at the end, the driver merges them. */
public final class JobStatsAccumulator extends AccumulatorV2<JobStats, JobStats> {
    private static final long serialVersionUID = 1L;
    private JobStats stats = new JobStats();

    @Override
    public boolean isZero() {
        return stats.isEmpty();
    }

    @Override
    public AccumulatorV2<JobStats, JobStats> copy() {
        JobStatsAccumulator c = new JobStatsAccumulator();
        c.stats.merge(stats);
        return c;
    }

    @Override
    public void reset() {
        stats = new JobStats();
    }

    @Override
    public void add(JobStats task) {
        stats.merge(task);
    }

    @Override
    public void merge(AccumulatorV2<JobStats, JobStats> other) {
        stats.merge(other.value());
    }

    @Override
    public JobStats value() {
        return stats;
    }
}
