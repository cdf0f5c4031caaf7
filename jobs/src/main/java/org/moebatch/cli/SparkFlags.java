package org.moebatch.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.moebatch.jobs.SparkSessions;
import picocli.CommandLine.Option;

/** The Spark side of a job: master, configuration, partitions. */
final class SparkFlags {
    @Option(names = "--partitions", defaultValue = "0", description = "Spark partitions, 0 for the default parallelism (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*], or spark-submit's).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark configuration (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    SparkSession session(String appName) {
        return SparkSessions.create(appName, master, conf);
    }
}
