package org.moebatch.spark;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * Which device a task's engine runs on. Spark hands each task the GPUs it scheduled it with
 * ({@code spark.task.resource.gpu.amount}; a fraction lets several tasks share one GPU, and so one
 * engine); {@code --device auto} or {@code cuda} follows that choice, so there is one engine per
 * GPU per executor. A task given several GPUs gets one engine with its experts spread over them.
 */
public final class DeviceAssignment {
    private DeviceAssignment() {}

    /** The device spec for the running task (or the driver, outside a task). */
    public static String forCurrentTask(String configured) {
        TaskContext task = TaskContext.get();
        Map<String, ResourceInformation> resources = task == null ? Map.of() : task.resourcesJMap();
        ResourceInformation gpu = resources.get("gpu");
        return resolve(configured, gpu == null ? new String[0] : gpu.addresses());
    }

    /**
     * {@code auto}: the task's GPUs, else the CPU. {@code cuda}: the task's GPUs, else GPU 0 (a single
     * GPU box run without Spark's resource scheduling). Anything else names devices itself.
     */
    static String resolve(String configured, String[] gpuAddresses) {
        if (!configured.equals("auto") && !configured.equals("cuda")) {
            return configured;
        }
        if (gpuAddresses.length == 0) {
            return configured.equals("auto") ? "cpu" : "cuda:0";
        }
        return Arrays.stream(gpuAddresses).sorted().map(a -> "cuda:" + a).collect(Collectors.joining(","));
    }
}
