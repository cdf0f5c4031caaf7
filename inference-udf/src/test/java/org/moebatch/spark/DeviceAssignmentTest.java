package org.moebatch.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.testing.LocalCluster;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

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
     * so one engine: every task must land on a GPU Spark gave it, four per GPU. The eight must run at
     * once, or a slot freed early would be handed out again and the count would be off.
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
            JavaSparkContext sc = new JavaSparkContext(spark.sparkContext());
            // A plain job waits for the executor to register. A barrier stage submitted before it has
            // fails its check for eight free slots and is retried only after 15 s.
            assertEquals(1, sc.parallelize(List.of(0), 1).count());
            // Barrier mode launches the eight tasks together or not at all, and barrier() returns only
            // once all eight are running: each holds its quarter GPU while the others ask for theirs.
            List<String> devices = sc.parallelize(List.of(1, 2, 3, 4, 5, 6, 7, 8), 8)
                    .rdd().barrier().mapPartitions(new DeviceOfTask(), false, ClassTag$.MODULE$.apply(String.class))
                    .toJavaRDD().collect();
            Map<String, Integer> perDevice = new TreeMap<>();
            devices.forEach(d -> perDevice.merge(d, 1, Integer::sum));
            assertEquals(Map.of("cuda:0", 4, "cuda:1", 4), perDevice);
        } finally {
            spark.stop();
        }
    }

    /** A barrier task's partition to the device it resolves, once every task of the stage has resolved its own. */
    private static final class DeviceOfTask extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<String>>
            implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> rows) {
            String device = DeviceAssignment.forCurrentTask("auto");
            BarrierTaskContext.get().barrier();
            return CollectionConverters.asScala(List.of(device).iterator());
        }
    }
}
