package org.moebatch.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.moebatch.jobs.SparkSessions;
import picocli.CommandLine.Option;

/** The Spark side of a job: master, configuration, partitions. */
final class SparkFlags {
    @Option(names = "--partitions", defaultValue = "0", converter = OptionChecks.NonNegative.class, description = "Spark partitions, 0 for the default parallelism (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*], or spark-submit's).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark configuration (repeatable; wins over --properties-file).")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--properties-file", paramLabel = "FILE", converter = OptionChecks.ExistingFile.class,
            description = "Spark settings in spark-defaults format, e.g. conf/gpu-box.conf (embedded Spark; spark-submit takes its own).")
    Path propertiesFile;

    SparkSession session(String appName) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        if (propertiesFile != null) {
            all.putAll(SparkSessions.readProperties(propertiesFile));
        }
        all.putAll(conf);
        String m = master != null ? master : all.remove("spark.master");
        return SparkSessions.create(appName, m, all);
    }
}
