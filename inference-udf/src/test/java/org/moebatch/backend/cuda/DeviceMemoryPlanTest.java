package org.moebatch.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.moebatch.cuda.CacheGeometry;

/** The KV cache budget against what the device has left once the weights are resident. */
class DeviceMemoryPlanTest {
    private static final long GIB = 1L << 30;

    @Test
    void moonlightOnAnH200LeavesRoomForAHundredThousandCachedPositionsAndMore() {
        // Moonlight-16B-A3B in bf16 is about 32 GB of weights; an H200 has 141 GB.
        long total = 141L * GIB;
        long weights = 32L * GIB;
        long pageBytes = new CacheGeometry(27, 16).pageBytes(512 + 64);
        DeviceMemoryPlan plan = new DeviceMemoryPlan(total - weights - GIB / 2, total, weights, pageBytes);
        assertEquals(total / 20, plan.activationReserve(), "5% of a large device");
        long positions = plan.pagesThatFit() * 16;
        assertTrue(positions > 100_000, positions + " positions");
        assertDoesNotThrow(() -> plan.check(plan.pagesThatFit(), "cuda:0"));
    }

    @Test
    void aBudgetBeyondTheDeviceIsRefusedWithWhatWouldFit() {
        long pageBytes = new CacheGeometry(27, 16).pageBytes(576);
        DeviceMemoryPlan plan = new DeviceMemoryPlan(10 * GIB, 80 * GIB, 60 * GIB, pageBytes);
        long fit = plan.pagesThatFit();
        assertEquals((10 * GIB - 4 * GIB) / pageBytes, fit, "4 GiB (5% of 80) kept for activations");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.check(fit + 1, "cuda:1"));
        assertTrue(e.getMessage().contains("does not fit on cuda:1 beside 60.00 GiB of weights"), e.getMessage());
        assertTrue(e.getMessage().contains("at most " + fit + " pages"), e.getMessage());
    }

    @Test
    void aSmallDeviceKeepsAtLeastOneGibibyteForActivations() {
        DeviceMemoryPlan plan = new DeviceMemoryPlan(GIB / 2, 8 * GIB, 7 * GIB, 1 << 20);
        assertEquals(GIB, plan.activationReserve());
        assertEquals(0, plan.pagesThatFit());
        assertThrows(IllegalArgumentException.class, () -> plan.check(1, "cuda:0"));
    }
}
