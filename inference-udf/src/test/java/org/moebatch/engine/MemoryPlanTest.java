package org.moebatch.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.moebatch.model.Checkpoint;
import org.moebatch.model.ModelException;
import org.moebatch.model.ModelSpec;
import org.moebatch.testing.Samples;

class MemoryPlanTest {
    private static final long GIB = 1L << 30;

    @Test
    void expertsSplitOverDevicesAndTheRestStaysOnTheFirst() {
        // 10 GiB dense, 1000 GiB of experts over 8 GPUs: 125 GiB each; the first adds dense + KV + activations
        MemoryPlan plan = new MemoryPlan(10 * GIB, 1000 * GIB, 20 * GIB, 2 * GIB, 8);
        assertEquals((10 + 125 + 20 + 2) * GIB, plan.bytesOn(0));
        assertEquals((125 + 2) * GIB, plan.bytesOn(3));
        assertDoesNotThrow(() -> plan.check("cuda:3", 3, 130 * GIB));
        ModelException e = assertThrows(ModelException.class, () -> plan.check("cuda:0", 0, 141 * GIB));
        assertTrue(e.getMessage().startsWith("the model does not fit on cuda:0: it needs 157.00 GiB"), e.getMessage());
        assertTrue(e.getMessage().contains("routed experts 125.00 (1/8 of 1000.00)"), e.getMessage());
        assertTrue(e.getMessage().contains("but 141.00 GiB is free, short by 16.00 GiB"), e.getMessage());
    }

    @Test
    void planOfARealCheckpointCountsEveryTensorOnce() {
        Checkpoint ckpt = Checkpoint.open(Samples.model("kimi-k2-tiny"));
        ModelSpec spec = ModelSpec.read(Samples.model("kimi-k2-tiny"));
        MemoryPlan plan = MemoryPlan.of(ckpt, spec, EngineConfig.defaults().withKvCacheBytes(1 << 20), 2);
        long total = ckpt.files().stream().flatMap(f -> f.entries().values().stream()).mapToLong(t -> t.byteLength()).sum();
        assertEquals(total, plan.denseBytes() + plan.expertBytes());
        assertTrue(plan.expertBytes() > 0 && plan.denseBytes() > 0);
        assertTrue(plan.workspaceBytes() > 0);
        assertEquals(plan.bytesOn(0) - plan.bytesOn(1), plan.denseBytes() + (1 << 20));
        assertEquals(plan, MemoryPlan.of(ckpt, spec, EngineConfig.defaults().withKvCacheBytes(1 << 20), 2, true),
                "float32 and bf16 weights are held as stored either way");
    }

    @Test
    void onTheGpuQuantisedWeightsCountAsTheBf16TheyAreDecodedTo() {
        // decoded to bf16, every routed expert weight takes two bytes, its scales none
        EngineConfig config = EngineConfig.defaults().withKvCacheBytes(1 << 20);
        for (String name : new String[] {"kimi-k2-fp8-tiny", "kimi-k2-int4-tiny"}) {
            Checkpoint ckpt = Checkpoint.open(Samples.model(name));
            ModelSpec spec = ModelSpec.read(Samples.model(name));
            long moeLayers = java.util.stream.IntStream.range(0, spec.layers()).filter(spec::isMoeLayer).count();
            long expertWeights = moeLayers * spec.routedExperts() * 3L * spec.hidden() * spec.moeIntermediate();
            MemoryPlan stored = MemoryPlan.of(ckpt, spec, config, 1);
            MemoryPlan decoded = MemoryPlan.of(ckpt, spec, config, 1, true);
            assertEquals(2 * expertWeights, decoded.expertBytes(), name + ": routed experts as bf16");
            assertTrue(stored.expertBytes() < decoded.expertBytes(), name + ": the codes and scales are smaller");
        }
    }

    @Test
    void routedExpertsAreCountedUnderEveryFamilysName() {
        // Qwen3's mlp.experts.E and Mixtral's block_sparse_moe.experts.E: each layer's experts, no more
        for (String name : new String[] {"qwen3-moe-tiny", "mixtral-tiny"}) {
            Checkpoint ckpt = Checkpoint.open(Samples.model(name));
            ModelSpec spec = ModelSpec.read(Samples.model(name));
            long moeLayers = java.util.stream.IntStream.range(0, spec.layers()).filter(spec::isMoeLayer).count();
            int bytesPerWeight = name.startsWith("mixtral") ? 2 : 4;
            long expected = moeLayers * spec.routedExperts() * 3L * spec.hidden() * spec.moeIntermediate() * bytesPerWeight;
            assertEquals(expected, MemoryPlan.of(ckpt, spec, EngineConfig.defaults(), 1).expertBytes(), name);
        }
    }
}
