package org.moebatch.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The arithmetic of device memory: the pool's size classes and the weight arena's placement. */
class MemoryPlanningTest {

    @Test
    void sizeClassesCoverTheRequestWithBoundedWaste() {
        for (long bytes = 1; bytes < (64L << 20); bytes = bytes * 3 / 2 + 7) {
            long size = SizeClasses.round(bytes);
            assertTrue(size >= bytes, bytes + " -> " + size);
            assertTrue(size <= Math.max(SizeClasses.MIN, 2 * bytes) || size - bytes < SizeClasses.PAGE,
                    "waste of " + (size - bytes) + " for " + bytes);
            assertEquals(size, SizeClasses.round(size), "a class is its own class");
        }
        assertEquals(512, SizeClasses.round(1));
        assertEquals(1024, SizeClasses.round(513));
        assertEquals(1L << 20, SizeClasses.round(1L << 20));
        assertEquals(2L << 20, SizeClasses.round((1L << 20) + 1));
        assertEquals(6L << 20, SizeClasses.round((5L << 20) + 3));
        assertThrows(IllegalArgumentException.class, () -> SizeClasses.round(0));
    }

    @Test
    void arenaPacksAlignedWeightsIntoSlabsAndGivesGiantsTheirOwn() {
        ArenaCursor c = new ArenaCursor(1024, 256);
        assertEquals(new ArenaCursor.Placement(true, 1024, 0), c.place(100));
        assertEquals(new ArenaCursor.Placement(false, 1024, 256), c.place(256));
        assertEquals(new ArenaCursor.Placement(false, 1024, 512), c.place(1));
        // a weight larger than a slab gets a slab of its own, rounded to the alignment ...
        assertEquals(new ArenaCursor.Placement(true, 2048, 0), c.place(2000));
        // ... and the current slab goes on filling
        assertEquals(new ArenaCursor.Placement(false, 1024, 768), c.place(200));
        // no room left: a new slab
        assertEquals(new ArenaCursor.Placement(true, 1024, 0), c.place(300));
        assertThrows(IllegalArgumentException.class, () -> c.place(0));
        assertThrows(IllegalArgumentException.class, () -> new ArenaCursor(1000, 256));
    }

    @Test
    void arenaWastesLittleOnAModelsWorthOfExpertMatrices() {
        // Moonlight-16B-A3B's experts: 26 MoE layers x 64 experts x 3 matrices of 1408 x 2048 bf16
        long matrix = 1408L * 2048 * 2;
        ArenaCursor c = new ArenaCursor(WeightArena.SLAB_BYTES, WeightArena.ALIGNMENT);
        long reserved = 0;
        long used = 0;
        for (int i = 0; i < 26 * 64 * 3; i++) {
            ArenaCursor.Placement p = c.place(matrix);
            reserved += p.newSlab() ? p.slabBytes() : 0;
            used += matrix;
        }
        assertTrue(reserved - used < reserved / 50, "over 2% of the arena wasted: " + (reserved - used));
    }
}
