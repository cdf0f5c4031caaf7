package org.moebatch.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The architecture families the engine assembles, each named by the {@code model_type} values of
 * its Hugging Face checkpoints. They share every building block (norms, RoPE, the router, the
 * expert block); what differs is chosen from {@code config.json}, never by a copy of the forward pass.
 * Each family names the reader of its {@code config.json} keys and defaults.
 */
public enum ModelFamily {
    /** DeepSeek-V3 and Kimi K2: MLA attention, sigmoid routing with a correction bias, shared experts. */
    DEEPSEEK_V3(DeepseekV3Config::read, true, "mlp.", "gate_proj", "up_proj", "down_proj", "deepseek_v3", "kimi_k2"),
    /** Qwen3-MoE: grouped-query attention with per-head q/k RMSNorm, softmax top-k routing. */
    QWEN3_MOE(Qwen3MoeConfig::read, false, "mlp.", "gate_proj", "up_proj", "down_proj", "qwen3_moe"),
    /** Mixtral: grouped-query attention, softmax top-2 routing renormalised; experts named w1, w3, w2. */
    MIXTRAL(MixtralConfig::read, false, "block_sparse_moe.", "w1", "w3", "w2", "mixtral"),
    /** OLMoE: multi-head attention with RMSNorm over the whole q and k projections, softmax top-k. */
    OLMOE(OlmoeConfig::read, false, "mlp.", "gate_proj", "up_proj", "down_proj", "olmoe");

    private final Function<ConfigJson, ModelSpec> configReader;
    private final boolean latentAttention;
    private final String moePrefix;
    private final String expertGate;
    private final String expertUp;
    private final String expertDown;
    private final List<String> modelTypes;

    ModelFamily(Function<ConfigJson, ModelSpec> configReader, boolean latentAttention, String moePrefix,
            String expertGate, String expertUp, String expertDown, String... modelTypes) {
        this.configReader = configReader;
        this.latentAttention = latentAttention;
        this.moePrefix = moePrefix;
        this.expertGate = expertGate;
        this.expertUp = expertUp;
        this.expertDown = expertDown;
        this.modelTypes = List.of(modelTypes);
    }

    /** The family of a {@code model_type}; an unknown one is an error that lists the supported types. */
    public static ModelFamily of(String modelType) {
        for (ModelFamily f : values()) {
            if (f.modelTypes.contains(modelType)) {
                return f;
            }
        }
        throw new ModelException("unsupported architecture: model_type \"" + modelType + "\" (supported: "
                + String.join(", ", supportedModelTypes()) + ")");
    }

    public static List<String> supportedModelTypes() {
        List<String> all = new ArrayList<>();
        for (ModelFamily f : values()) {
            all.addAll(f.modelTypes);
        }
        return all;
    }

    /** Reads a checkpoint's {@code config.json} with this family's keys and Hugging Face defaults. */
    ModelSpec readConfig(ConfigJson config) {
        return configReader.apply(config);
    }

    /** Multi-head Latent Attention (a compressed cache) rather than grouped-query attention. */
    public boolean latentAttention() {
        return latentAttention;
    }

    /** The module of a layer that holds the MoE block: {@code mlp.} or Mixtral's {@code block_sparse_moe.}. */
    String moePrefix() {
        return moePrefix;
    }

    /** A routed expert's SwiGLU projections: gate (silu'd), up, down. */
    String expertGate() {
        return expertGate;
    }

    String expertUp() {
        return expertUp;
    }

    String expertDown() {
        return expertDown;
    }
}
