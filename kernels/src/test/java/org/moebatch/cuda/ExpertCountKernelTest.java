package org.moebatch.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * count_experts on the device against {@link ExpertHistogram#count}, entry for entry, over several
 * layers' rows of one histogram, with slots routed to no expert mixed in: the kernel's atomics must
 * give the exact counts, in the right row, and leave the other rows alone.
 */
@Tag("gpu")
class ExpertCountKernelTest {
    private static CudaContext context;
    private static KernelModules modules;
    private static DevicePool pool;
    private static HostStaging staging;

    @BeforeAll
    static void open() {
        Gpu.assumeDeviceAndKernels();
        context = CudaContext.open(0);
        modules = KernelModules.load(context);
        pool = new DevicePool(context);
        staging = new HostStaging(context);
    }

    @AfterAll
    static void close() {
        if (context != null) {
            staging.close();
            pool.close();
            modules.close();
            context.close();
        }
    }

    @ParameterizedTest(name = "{0} slots of {1} experts, {2} layers, every {3}th slot unrouted")
    @CsvSource({"1, 1, 1, 0", "8, 384, 61, 0", "4096, 384, 3, 7", "300, 16, 4, 2", "257, 1024, 2, 0"})
    void countsOnTheDeviceMatchTheReferenceExactly(int slots, int experts, int layers, int unroutedEvery) {
        context.bind();
        Random random = new Random(slots * 31L + experts);
        RouterKernel kernel = new RouterKernel(modules);
        int ints = (int) ExpertHistogram.ints(layers, experts);
        int[] expected = new int[ints];
        DeviceBuffer histogram = pool.allocate(4L * ints, "histogram");
        context.fill32(histogram, 0, ints);
        DeviceBuffer chosen = pool.allocate(4L * slots, "chosen");
        for (int layer = 0; layer < layers; layer += Math.max(1, layers / 3)) {
            int[] routed = new int[slots];
            for (int i = 0; i < slots; i++) {
                routed[i] = unroutedEvery > 0 && i % unroutedEvery == 0 ? -1 : random.nextInt(experts);
            }
            ExpertHistogram.count(routed, slots, experts, expected, layer);
            staging.upload(routed, slots, chosen, "chosen experts");
            kernel.countExperts(chosen, slots, experts, ExpertHistogram.row(histogram, layer, layers, experts));
        }
        int[] actual = new int[ints];
        staging.download(histogram, 0, 4L * ints, "histogram").asIntBuffer().get(actual);
        assertArrayEquals(expected, actual, "histogram");
        pool.release(chosen);
        pool.release(histogram);
    }
}
