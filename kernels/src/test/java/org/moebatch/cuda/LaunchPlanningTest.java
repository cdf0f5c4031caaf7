package org.moebatch.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Launch geometry and kernel choice, computed in plain Java before any launch: grids cover every
 * output, stay inside the hardware's limits, and shared memory fits the GPUs the kernels target.
 */
class LaunchPlanningTest {
    /** Shared memory a block may opt in to: A100 (sm_80) and H100/H200 (sm_90). */
    private static final int A100_SHARED = 163 * 1024;

    @ParameterizedTest(name = "row kernel over {0} x {1}, {2} batches")
    @CsvSource({"1, 1, 1", "1, 7168, 1", "9, 163840, 1", "512, 2048, 1", "3, 128, 64"})
    void rowKernelGridCoversEveryOutputOnce(int m, int n, int batches) {
        Launch l = GemmPlan.rows(m, n, batches);
        assertTrue((long) l.gridX() * GemmPlan.OUTPUTS_PER_BLOCK >= n, "columns");
        assertTrue((long) (l.gridX() - 1) * GemmPlan.OUTPUTS_PER_BLOCK < n, "no block without a column");
        assertTrue((long) l.gridY() * GemmPlan.ROWS_PER_PASS >= m, "rows");
        assertTrue((long) (l.gridY() - 1) * GemmPlan.ROWS_PER_PASS < m, "no pass without a row");
        assertEquals(batches, l.gridZ());
        assertEquals(GemmPlan.OUTPUTS_PER_BLOCK * 32, l.block(), "a warp per output column");
    }

    @Test
    void gridsBeyondTheHardwareAreRefusedWithTheirNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Launch(1, 70000, 1, 32, 0));
        assertTrue(e.getMessage().contains("70000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Launch(1, 1, 1, 2048, 0));
        assertThrows(IllegalArgumentException.class, () -> GemmPlan.rows(8 * 65536, 16, 1));
        assertThrows(IllegalArgumentException.class, () -> GemmPlan.tensorCores(64 * 65536, 16));
    }

    @Test
    void tensorCoresOnlyForBf16WithWholeChunksAndEnoughRows() {
        KernelPolicy p = KernelPolicy.defaults();
        assertEquals(GemmPlan.Path.TENSOR_CORES, GemmPlan.linear(p, WeightType.BF16, 512, 2048, 2048));
        assertEquals(GemmPlan.Path.ROWS, GemmPlan.linear(p, WeightType.BF16, 8, 2048, 2048), "decode streams weights");
        assertEquals(GemmPlan.Path.ROWS, GemmPlan.linear(p, WeightType.F32, 512, 2048, 2048), "f32 keeps f32 arithmetic");
        assertEquals(GemmPlan.Path.ROWS, GemmPlan.linear(p, WeightType.BF16, 512, 100, 100), "rows not in 16-byte chunks");
        assertEquals(GemmPlan.Path.ROWS, GemmPlan.linear(KernelPolicy.rowKernels(), WeightType.BF16, 4096, 2048, 2048));
        Launch tc = GemmPlan.tensorCores(65, 7168);
        assertEquals(new Launch(112, 2, 1, 128, 0), tc);
        assertTrue(GemmPlan.vectorized(2048, 2048, 0));
        assertTrue(!GemmPlan.vectorized(2048, 2048, 6), "a per-head offset off a 16-byte boundary");
        assertTrue(!GemmPlan.vectorized(20, 20, 0));
    }

    @ParameterizedTest(name = "{0} tokens top-{1} of {2} experts -> {3}")
    @CsvSource({"1, 8, 384, ROWS", "256, 8, 384, ROWS", "384, 8, 384, TENSOR_CORES", "4096, 8, 384, TENSOR_CORES",
        "1, 6, 64, ROWS", "64, 6, 64, ROWS", "128, 6, 64, TENSOR_CORES", "256, 6, 64, TENSOR_CORES"})
    void expertsUseTensorCoresOnceTilesFill(int tokens, int k, int experts, GemmPlan.Path expected) {
        MoePlan plan = MoePlan.of(KernelPolicy.defaults(), WeightType.BF16, tokens, k, experts, 7168, 2048);
        assertEquals(expected, plan.path());
        assertEquals(expected == GemmPlan.Path.TENSOR_CORES ? GemmPlan.TILE : MoePlan.ROW_TILE, plan.tile());
        assertEquals(tokens * k, plan.slots());
        assertEquals(plan.capacity() / plan.tile(), plan.maxTiles());
        Launch gateUp = plan.gateUp(2048);
        assertEquals(plan.maxTiles(), gateUp.gridY(), "one grid row per possible tile");
        int perBlock = expected == GemmPlan.Path.TENSOR_CORES ? GemmPlan.TILE : GemmPlan.OUTPUTS_PER_BLOCK;
        assertEquals(Launch.ceilDiv(2048, perBlock), gateUp.gridX());
        assertEquals(Launch.ceilDiv(7168, perBlock), plan.down(7168).gridX());
        // F32 experts never take the bf16 tensor-core path
        assertEquals(GemmPlan.Path.ROWS,
                MoePlan.of(KernelPolicy.defaults(), WeightType.F32, tokens, k, experts, 7168, 2048).path());
    }

    @Test
    void expertWidthsOffSixteenByteChunksUseTheScalarRowKernel() {
        // variant-tiny: moe_intermediate_size 20
        MoePlan plan = MoePlan.of(KernelPolicy.tensorCoresAndSplits(), WeightType.BF16, 100, 2, 8, 48, 20);
        assertEquals(GemmPlan.Path.ROWS, plan.path());
        assertTrue(!plan.vectorized());
        assertThrows(IllegalArgumentException.class,
                () -> MoePlan.of(KernelPolicy.defaults(), WeightType.BF16, 1, 1, 2048, 64, 64));
    }

    @Test
    void alignAndRouterSharedMemoryFitTheDefault48KiB() {
        assertTrue(MoePlan.align(MoePlan.MAX_EXPERTS).sharedBytes() <= 48 * 1024);
        assertTrue(RouterKernel.geometry(1, 384, 1).sharedBytes() <= 48 * 1024, "Kimi K2's 384 experts");
        assertTrue(RouterKernel.geometry(1, 256, 8).sharedBytes() <= 48 * 1024, "DeepSeek-V3's 256 in 8 groups");
        assertEquals(3, RouterKernel.geometry(9, 64, 1).gridX(), "four tokens per block");
    }

    @Test
    void attentionSharedMemoryFitsAmpereAndHopperForK2AndMoonlight() {
        int k2 = AttentionPlan.sharedBytes(512, 64); // kv_lora_rank 512, qk_rope_head_dim 64
        assertTrue(k2 <= A100_SHARED, k2 + " bytes");
        assertTrue(k2 > 48 * 1024, "and so needs the opt-in the launcher makes");
        assertEquals(4 * (16 * 576 + 16 * 577 + 256 + 16 * 512 + 48), k2);
        assertEquals(4 * (16 * 48 + 16 * 49 + 256 + 16 * 40 + 48), AttentionPlan.sharedBytes(40, 8));
    }

    @Test
    void groupedQueryAttentionFitsOneBlockForQwen3MixtralAndOlmoe() {
        // Qwen3-30B-A3B: 32 heads over 4, head_dim 128; Mixtral 8x7B: 32 over 8, 128; OLMoE: 16 over 16, 128
        assertEquals(4 * (8 * 128 + 16 * 129 + 16 * 128 + 8 * 16 + 8 * 128 + 3 * 8), GqaPlan.sharedBytes(8, 128));
        Launch qwen3 = GqaPlan.attend(5, 32, 4, 128);
        assertEquals(5, qwen3.gridX(), "one block per token");
        assertEquals(4, qwen3.gridY(), "and per key/value head");
        assertTrue(qwen3.sharedBytes() <= 48 * 1024);
        assertTrue(GqaPlan.attend(1, 32, 8, 128).sharedBytes() <= 48 * 1024);
        assertTrue(GqaPlan.attend(1, 16, 16, 128).sharedBytes() <= 48 * 1024);
        String message = assertThrows(IllegalArgumentException.class, () -> GqaPlan.attend(1, 64, 1, 256)).getMessage();
        assertTrue(message.contains("64 query heads per key/value head of width 256"), message);
    }

    @Test
    void attentionTilesKeepSequencesApartAndStayWithinSixteenRows() {
        Random random = new Random(17);
        for (int trial = 0; trial < 200; trial++) {
            int heads = 1 + random.nextInt(70);
            int perTile = AttentionPlan.tokensPerTile(heads);
            assertTrue(perTile * AttentionPlan.headsPerGroup(heads) <= AttentionPlan.ROWS, heads + " heads");
            int tokens = 1 + random.nextInt(300);
            int[] sequence = new int[tokens];
            for (int t = 1; t < tokens; t++) {
                sequence[t] = sequence[t - 1] + (random.nextInt(6) == 0 ? 1 : 0);
            }
            int[] tiles = new int[2 * tokens];
            int n = AttentionPlan.tiles(sequence, tokens, perTile, tiles);
            int next = 0;
            for (int i = 0; i < n; i++) {
                int first = tiles[2 * i];
                int count = tiles[2 * i + 1];
                assertEquals(next, first, "tiles are consecutive and cover every token");
                assertTrue(count >= 1 && count <= perTile);
                for (int t = first; t < first + count; t++) {
                    assertEquals(sequence[first], sequence[t], "one sequence per tile");
                }
                // a tile ends early only at a sequence boundary or when full
                int end = first + count;
                assertTrue(end == tokens || count == perTile || sequence[end] != sequence[first]);
                next = end;
            }
            assertEquals(tokens, next);
        }
    }

    @ParameterizedTest(name = "{0} blocks, context {1}, {2} SMs")
    @CsvSource({"1, 100, 132", "1, 4096, 132", "1, 100000, 132", "264, 4096, 132", "16, 8192, 132", "1, 16, 108"})
    void attentionSplitsOnlyWhenTheDeviceWouldIdleAndContextsAreLong(int blocks, int context, int sms) {
        KernelPolicy p = KernelPolicy.defaults();
        int splits = AttentionPlan.splits(p, blocks, context, sms);
        assertTrue(splits >= 1 && splits <= p.attentionMaxSplits());
        assertTrue(splits == 1 || context / splits >= p.attentionMinSplitLength(), "each split has real work");
        assertTrue(splits == 1 || (long) blocks * (splits - 1) < 2L * sms, "no more splits than fill the device");
        int length = AttentionPlan.splitLength(context, splits);
        assertEquals(0, length % AttentionPlan.CHUNK);
        assertTrue((long) length * splits >= context, "the splits cover the context");
        if (blocks >= 2 * sms) {
            assertEquals(1, splits);
        }
        assertEquals(1, AttentionPlan.splits(KernelPolicy.rowKernels(), blocks, context, sms));
    }

    @Test
    void elementwiseGridsFillTheDeviceAndNoMore() {
        assertEquals(1, RowKernels.elementwise(1, 132).gridX());
        assertEquals(132 * RowKernels.BLOCKS_PER_SM, RowKernels.elementwise(1L << 30, 132).gridX());
        assertEquals(Launch.ceilDiv(5000, RowKernels.THREADS), RowKernels.elementwise(5000, 132).gridX());
        Launch rope = RopeKernel.geometry(7, 64, 64);
        assertEquals(7, rope.gridX());
        assertEquals(4 * 64 * 64, rope.sharedBytes(), "a token's rope parts for every head");
        Launch absorb = MlaKernels.absorbGeometry(17, 64, 128, 512);
        assertEquals(new Launch(4, 64, 3, 128, 4 * 8 * 128), absorb);
    }
}
