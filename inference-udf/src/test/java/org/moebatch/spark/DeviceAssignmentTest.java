package org.moebatch.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.testing.LocalCluster;

class DeviceAssignmentTest {
    @Test
    void specsResolveByTheTasksGpus() {
        assertEquals("cpu", DeviceAssignment.resolve("auto", new String[0]));
        assertEquals("cuda:3", DeviceAssignment.resolve("auto", new String[] {"3"}));
        assertEquals("cuda:0", DeviceAssignment.resolve("cuda", new String[0]));
        assertEquals("cuda:1,cuda:2", DeviceAssignment.resolve("cuda", new String[] {"2", "1"}));
        assertEquals("cpu", DeviceAssignment.resolve("cpu", new String[] {"0"}), "an explicit device wins");
        assertEquals("cuda:5", DeviceAssignment.resolve("cuda:5", new String[] {"0"}));
    }

    /**
     * Spark's own scheduler (local-cluster mode: a standalone worker and an executor JVM) hands out
     * the two GPUs a discovery script reports, a quarter GPU per task, so four tasks share each GPU and
     * so one engine: every task must land on a GPU Spark gave it, four per GPU.
     */
    @Test
    void tasksFollowTheGpusSparkSchedules(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("gpus.sh");
        Files.writeString(script, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        SparkSession spark = LocalCluster.builder(1, 8).appName("gpu-assignment")
                .config("spark.worker.resource.gpu.amount", "2")
                .config("spark.worker.resource.gpu.discoveryScript", script.toString())
                .config("spark.executor.resource.gpu.amount", "2")
                .config("spark.task.resource.gpu.amount", "0.25")
                .getOrCreate();
        try {
            List<String> devices = new JavaSparkContext(spark.sparkContext()).parallelize(List.of(1, 2, 3, 4, 5, 6, 7, 8), 8)
                    .mapPartitions((FlatMapFunction<java.util.Iterator<Integer>, String>) rows -> {
                        Thread.sleep(200); // hold the slot so the eight tasks run at once
                        return List.of(DeviceAssignment.forCurrentTask("auto")).iterator();
                    }).collect();
            Map<String, Integer> perDevice = new TreeMap<>();
            devices.forEach(d -> perDevice.merge(d, 1, Integer::sum));
            assertEquals(Map.of("cuda:0", 4, "cuda:1", 4), perDevice);
        } finally {
            spark.stop();
        }
    }
}
