package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.testing.Samples;
import org.moebatch.testing.Specs;

class ModelSpecTest {
    @TempDir
    Path dir;

    @Test
    void readsKimiK2StyleConfig() {
        ModelSpec spec = ModelSpec.read(Samples.model("kimi-k2-tiny"));
        assertEquals("kimi_k2", spec.modelType());
        assertEquals(48, spec.qLoraRank());
        assertEquals(24, spec.qkHeadDim());
        assertTrue(spec.ropeScaling().isYarn());
        assertEquals(32.0, spec.ropeScaling().factor());
        assertEquals(64, spec.ropeScaling().originalMaxPositions());
        assertFalse(spec.isMoeLayer(0));
        assertTrue(spec.isMoeLayer(1));
        assertEquals(32, spec.sharedIntermediate());
    }

    @Test
    void missingKeysTakeDeepseekV3Defaults() {
        ObjectNode c = Specs.config();
        c.remove("n_group");
        c.remove("topk_group");
        c.remove("q_lora_rank");
        c.put("n_routed_experts", 16);
        c.put("num_experts_per_tok", 2);
        ModelSpec spec = ModelSpec.fromConfig(c);
        assertEquals(8, spec.nGroup());
        assertEquals(4, spec.topkGroup());
        assertEquals(1536, spec.qLoraRank());
        assertEquals(2.5, spec.routedScalingFactor());
        assertTrue(spec.ropeInterleave());
    }

    @Test
    void nullQLoraRankMeansDirectQueryProjection() {
        ObjectNode c = Specs.config();
        c.putNull("q_lora_rank");
        assertEquals(0, ModelSpec.fromConfig(c).qLoraRank());
    }

    @Test
    void ropeParametersOfTransformersV5AreRead() {
        ObjectNode c = Specs.config();
        ObjectNode rope = c.putObject("rope_parameters");
        rope.put("rope_type", "yarn");
        rope.put("rope_theta", 50000.0);
        rope.put("factor", 8.0);
        ModelSpec spec = ModelSpec.fromConfig(c);
        assertEquals(50000.0, spec.ropeTheta());
        assertTrue(spec.ropeScaling().isYarn());
        assertEquals(256, spec.ropeScaling().originalMaxPositions(), "defaults to max_position_embeddings");
    }

    private static String rejection(ObjectNode c) {
        return assertThrows(ModelException.class, () -> ModelSpec.fromConfig(c)).getMessage();
    }

    @Test
    void unsupportedArchitectureIsNamed() {
        ObjectNode c = Specs.config();
        c.put("model_type", "llama");
        assertTrue(rejection(c).contains("unsupported architecture: model_type \"llama\""));
    }

    @Test
    void inconsistentConfigsAreRejectedWithTheKey() {
        ObjectNode c = Specs.config();
        c.put("n_group", 3);
        assertTrue(rejection(c).contains("not divisible by n_group"));
        c = Specs.config();
        c.put("hidden_size", "big");
        assertTrue(rejection(c).contains("hidden_size must be an integer"));
        c = Specs.config();
        c.put("qk_rope_head_dim", 5);
        assertTrue(rejection(c).contains("must be even"));
        c = Specs.config();
        c.put("num_experts_per_tok", 9);
        assertTrue(rejection(c).contains("num_experts_per_tok 9 exceeds"));
        c = Specs.config();
        c.put("hidden_act", "gelu");
        assertTrue(rejection(c).contains("hidden_act"));
        c = Specs.config();
        c.putObject("rope_scaling").put("type", "dynamic");
        assertTrue(rejection(c).contains("rope_scaling type \"dynamic\""));
    }

    @Test
    void missingOrBrokenConfigFileNamesThePath() throws IOException {
        String message = assertThrows(ModelException.class, () -> ModelSpec.read(dir)).getMessage();
        assertTrue(message.contains("no config.json"), message);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": ");
        message = assertThrows(ModelException.class, () -> ModelSpec.read(dir)).getMessage();
        assertTrue(message.contains("config.json") && message.contains("not valid JSON"), message);
    }
}
