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
    void unsupportedArchitectureIsNamedWithTheSupportedOnes() {
        ObjectNode c = Specs.config();
        c.put("model_type", "llama");
        String message = rejection(c);
        assertTrue(message.contains("unsupported architecture: model_type \"llama\""), message);
        assertTrue(message.contains("deepseek_v3, kimi_k2, qwen3_moe, mixtral, olmoe"), message);
    }

    /** Qwen3-30B-A3B's config.json, key for key. */
    private static ObjectNode qwen3Moe30bA3b() {
        ObjectNode c = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        c.put("model_type", "qwen3_moe");
        c.put("vocab_size", 151936);
        c.put("hidden_size", 2048);
        c.put("intermediate_size", 6144);
        c.put("moe_intermediate_size", 768);
        c.put("num_hidden_layers", 48);
        c.put("num_attention_heads", 32);
        c.put("num_key_value_heads", 4);
        c.put("head_dim", 128);
        c.put("num_experts", 128);
        c.put("num_experts_per_tok", 8);
        c.put("norm_topk_prob", true);
        c.put("decoder_sparse_step", 1);
        c.putArray("mlp_only_layers");
        c.put("rope_theta", 1000000.0);
        c.put("rms_norm_eps", 1e-6);
        c.put("max_position_embeddings", 40960);
        c.put("use_sliding_window", false);
        c.put("sliding_window", (String) null);
        c.put("tie_word_embeddings", false);
        c.put("eos_token_id", 151645);
        return c;
    }

    @Test
    void readsQwen3MoeConfig() {
        ModelSpec spec = ModelSpec.fromConfig(qwen3Moe30bA3b());
        assertEquals(ModelFamily.QWEN3_MOE, spec.family());
        assertFalse(spec.family().latentAttention());
        assertEquals(4, spec.kvHeads());
        assertEquals(128, spec.qkHeadDim(), "head_dim, not hidden / heads = 64");
        assertEquals(128, spec.ropeDim());
        assertEquals(2 * 4 * 128, spec.cacheEntryFloats());
        assertEquals(QkNorm.PER_HEAD, spec.qkNorm());
        assertEquals(128, spec.routedExperts());
        assertEquals(768, spec.moeIntermediate());
        assertEquals("softmax", spec.scoringFunc());
        assertFalse(spec.usesCorrectionBias());
        assertEquals(0, spec.sharedExperts());
        assertEquals(1.0, spec.routedScalingFactor());
        assertTrue(spec.normTopkProb());
        assertFalse(spec.ropeInterleave(), "RoPE in halves");
        for (int i = 0; i < 48; i++) {
            assertTrue(spec.isMoeLayer(i), "layer " + i);
        }

        ObjectNode c = qwen3Moe30bA3b();
        c.put("decoder_sparse_step", 2);
        c.putArray("mlp_only_layers").add(5);
        ModelSpec sparse = ModelSpec.fromConfig(c);
        assertFalse(sparse.isMoeLayer(0), "(0 + 1) % 2 != 0");
        assertTrue(sparse.isMoeLayer(1));
        assertFalse(sparse.isMoeLayer(5), "in mlp_only_layers");
        assertTrue(sparse.isMoeLayer(7));
        assertEquals(6144, sparse.intermediate(), "the dense layers' width");
    }

    @Test
    void readsMixtralAndOlmoeConfigs() {
        ModelSpec mixtral = ModelSpec.read(Samples.model("mixtral-tiny"));
        assertEquals(ModelFamily.MIXTRAL, mixtral.family());
        assertEquals(4, mixtral.routedExperts(), "num_local_experts");
        assertEquals(40, mixtral.moeIntermediate(), "Mixtral's experts are intermediate_size wide");
        assertTrue(mixtral.normTopkProb(), "Mixtral always renormalises its top k");
        assertEquals(QkNorm.NONE, mixtral.qkNorm());
        assertEquals(8, mixtral.headDim());

        ModelSpec olmoe = ModelSpec.read(Samples.model("olmoe-tiny"));
        assertEquals(ModelFamily.OLMOE, olmoe.family());
        assertEquals(olmoe.heads(), olmoe.kvHeads());
        assertEquals(QkNorm.WHOLE, olmoe.qkNorm());
        assertFalse(olmoe.normTopkProb());
    }

    @Test
    void groupedQueryConfigsAreRejectedWithTheKey() {
        ObjectNode c = qwen3Moe30bA3b();
        c.put("num_key_value_heads", 5);
        assertTrue(rejection(c).contains("not a multiple of num_key_value_heads 5"));
        c = qwen3Moe30bA3b();
        c.put("head_dim", 127);
        assertTrue(rejection(c).contains("head_dim 127 must be even"));
        c = qwen3Moe30bA3b();
        c.put("use_sliding_window", true);
        assertTrue(rejection(c).contains("use_sliding_window"));
        c = qwen3Moe30bA3b();
        c.put("num_experts_per_tok", 129);
        assertTrue(rejection(c).contains("num_experts_per_tok 129 exceeds the 128 experts"));
        c = qwen3Moe30bA3b();
        c.put("mlp_only_layers", "all");
        assertTrue(rejection(c).contains("mlp_only_layers must be a list"));
        c = qwen3Moe30bA3b();
        c.put("model_type", "mixtral");
        c.put("sliding_window", 4096);
        assertTrue(rejection(c).contains("sliding_window 4096 is not supported"));
        c = qwen3Moe30bA3b();
        c.put("model_type", "olmoe");
        c.put("clip_qkv", 8.0);
        assertTrue(rejection(c).contains("clip_qkv"));
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
