package org.moebatch.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.IntBuffer;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * moe_align on the device against {@link MoeAlignPlan}, entry for entry: the kernel counts with
 * shared-memory atomics and scatters with warp votes, yet must give the one stable order. Outputs
 * are poisoned first so an entry the kernel forgets shows.
 */
@Tag("gpu")
class MoeAlignKernelTest {
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

    @ParameterizedTest(name = "{0} tokens x top-{1} of {2} experts, tiles of {3}")
    @CsvSource({"1, 1, 1, 8", "1, 8, 384, 8", "7, 6, 64, 8", "256, 6, 64, 64", "300, 8, 384, 64", "4096, 8, 384, 64",
        "1000, 2, 1024, 8", "33, 3, 3, 64"})
    void alignOnTheDeviceMatchesTheReferenceExactly(int tokens, int k, int experts, int tile) {
        context.bind();
        int slots = tokens * k;
        int[] chosen = MoeAlignPlanTest.route(new Random(slots * 7L + experts + tile), tokens, k, experts);
        MoeAlignPlan.Result expected = MoeAlignPlan.align(chosen, slots, experts, tile);
        int capacity = MoeAlignPlan.capacity(slots, experts, tile);

        DeviceBuffer chosenOnDevice = pool.allocate(4L * slots, "chosen");
        DeviceBuffer sorted = pool.allocate(4L * capacity, "sorted");
        DeviceBuffer tileExpert = pool.allocate(4L * (capacity / tile), "tile experts");
        DeviceBuffer tileCount = pool.allocate(4, "tile count");
        staging.upload(chosen, slots, chosenOnDevice, "chosen experts");
        context.fill32(sorted, 0xDEAD, capacity);
        context.fill32(tileExpert, 0xDEAD, capacity / tile);
        context.fill32(tileCount, 0xDEAD, 1);
        new MoeKernels(modules).align(chosenOnDevice, slots, experts, tile, sorted, tileExpert, tileCount);

        int count = staging.download(tileCount, 0, 4, "tile count").asIntBuffer().get(0);
        assertEquals(expected.tileCount(), count, "tiles");
        IntBuffer s = staging.download(sorted, 0, 4L * count * tile, "sorted slots").asIntBuffer();
        for (int i = 0; i < count * tile; i++) {
            assertEquals(expected.sorted()[i], s.get(i), "sorted entry " + i);
        }
        IntBuffer te = staging.download(tileExpert, 0, 4L * count, "tile experts").asIntBuffer();
        for (int t = 0; t < count; t++) {
            assertEquals(expected.tileExpert()[t], te.get(t), "expert of tile " + t);
        }
        for (DeviceBuffer b : new DeviceBuffer[] {chosenOnDevice, sorted, tileExpert, tileCount}) {
            pool.release(b);
        }
    }
}
