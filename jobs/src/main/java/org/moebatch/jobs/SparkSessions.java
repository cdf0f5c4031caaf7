package org.moebatch.jobs;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a command: the cluster's under spark-submit, else embedded local Spark. */
public final class SparkSessions {
    private SparkSessions() {}

    /**
     * A session for {@code appName}. Under spark-submit the master comes from there; otherwise
     * {@code master} (default {@code local[*]}). {@code conf} entries are set last and win.
     */
    public static SparkSession create(String appName, String master, Map<String, String> conf) {
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        boolean submitted = System.getProperty("spark.master") != null;
        if (!submitted) {
            builder.master(master == null ? "local[*]" : master)
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", "8")
                    // live progress: running tasks report their counters with each heartbeat
                    .config("spark.executor.heartbeatInterval", "2s")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1");
        } else if (master != null) {
            builder.master(master);
        }
        conf.forEach(builder::config);
        SparkSession spark = builder.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }
}
