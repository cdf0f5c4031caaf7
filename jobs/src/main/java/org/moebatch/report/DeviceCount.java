package org.moebatch.report;

import org.apache.spark.SparkContext;

/**
 * How many devices a run held, for the cost ledger: GPUs when the engine ran on CUDA, otherwise CPU
 * cores (the engine's threads on each executor).
 */
public final class DeviceCount {
    private DeviceCount() {}

    /** "gpu" or "cpu-core", the kinds {@link CostModel} prices. */
    public static String kind(String device) {
        return device.startsWith("cuda") ? "gpu" : "cpu-core";
    }

    public static int count(SparkContext sc, String device, int engineThreads) {
        boolean local = sc.master().startsWith("local");
        // the driver is listed among the block managers; in local mode it is the executor
        int executors = local ? 1 : Math.max(1, sc.getExecutorMemoryStatus().size() - 1);
        if (kind(device).equals("gpu")) {
            double perExecutor = Double.parseDouble(sc.conf().get("spark.executor.resource.gpu.amount", "1"));
            return (int) Math.max(1, Math.round(executors * perExecutor));
        }
        int cores = engineThreads > 0 ? engineThreads
                : local ? Runtime.getRuntime().availableProcessors() : sc.conf().getInt("spark.executor.cores", 1);
        return executors * cores;
    }
}
