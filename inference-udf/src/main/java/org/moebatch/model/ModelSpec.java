package org.moebatch.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a DeepSeek-V3-architecture model (Kimi K2, DeepSeek-V3, Moonlight), read from the
 * checkpoint's {@code config.json} with the defaults of Hugging Face's {@code DeepseekV3Config}.
 *
 * @param qLoraRank        0 when queries are projected directly ({@code q_proj}), as in V2-Lite
 * @param scoringFunc      "sigmoid" (V3, K2) or "softmax"
 * @param topkMethod       "noaux_tc" uses {@code e_score_correction_bias} to choose experts
 * @param moeLayerFreq     every how many layers, after the dense ones, is an MoE layer
 * @param ropeInterleave   whether RoPE pairs are adjacent elements (the official layout) or halves
 * @param quantization     how the linear layers are stored ({@code quantization_config}); NONE when plain
 */
public record ModelSpec(
        String modelType,
        int vocabSize,
        int hidden,
        int intermediate,
        int moeIntermediate,
        int layers,
        int heads,
        int qLoraRank,
        int kvLoraRank,
        int qkNopeHeadDim,
        int qkRopeHeadDim,
        int vHeadDim,
        int routedExperts,
        int sharedExperts,
        int expertsPerToken,
        int nGroup,
        int topkGroup,
        boolean normTopkProb,
        double routedScalingFactor,
        String scoringFunc,
        String topkMethod,
        int firstKDenseReplace,
        int moeLayerFreq,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean ropeInterleave,
        int maxPositions,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        int bosTokenId,
        List<Integer> eosTokenIds,
        QuantizationConfig quantization) {

    private static final List<String> MODEL_TYPES = List.of("deepseek_v3", "kimi_k2");
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelSpec {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Reads {@code dir/config.json}. */
    public static ModelSpec read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelException(dir + ": model directory does not exist");
        }
        Path config = dir.resolve("config.json");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(config));
        } catch (NoSuchFileException e) {
            throw new ModelException(config + ": no config.json in the model directory");
        } catch (IOException e) {
            throw new ModelException(config + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelException(config + ": not a JSON object");
        }
        try {
            return fromConfig(root);
        } catch (ModelException e) {
            throw new ModelException(config + ": " + e.getMessage(), e);
        }
    }

    /** Parses a {@code config.json} tree; missing keys take {@code DeepseekV3Config}'s defaults. */
    public static ModelSpec fromConfig(JsonNode c) {
        String modelType = text(c, "model_type", "");
        if (!MODEL_TYPES.contains(modelType)) {
            throw new ModelException("unsupported architecture: model_type \"" + modelType
                    + "\" (supported: " + String.join(", ", MODEL_TYPES) + ")");
        }
        String act = text(c, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ModelException("unsupported hidden_act \"" + act + "\" (supported: silu)");
        }
        int heads = integer(c, "num_attention_heads", 128);
        int kvHeads = integer(c, "num_key_value_heads", heads);
        if (kvHeads != heads) {
            // MLA shares one latent across heads; the kv-head count is a leftover of the config class.
            // Values other than the head count have no meaning for this architecture.
            throw new ModelException("num_key_value_heads " + kvHeads + " differs from num_attention_heads "
                    + heads + "; MLA has no key/value head groups");
        }
        JsonNode rope = c.has("rope_scaling") && !c.get("rope_scaling").isNull()
                ? c.get("rope_scaling") : c.get("rope_parameters");
        double ropeTheta = number(c, "rope_theta", rope != null && rope.has("rope_theta")
                ? rope.get("rope_theta").asDouble() : 10000.0);
        ModelSpec spec = new ModelSpec(
                modelType,
                integer(c, "vocab_size", 129280),
                integer(c, "hidden_size", 7168),
                integer(c, "intermediate_size", 18432),
                integer(c, "moe_intermediate_size", 2048),
                integer(c, "num_hidden_layers", 61),
                heads,
                c.has("q_lora_rank") && c.get("q_lora_rank").isNull() ? 0 : integer(c, "q_lora_rank", 1536),
                integer(c, "kv_lora_rank", 512),
                integer(c, "qk_nope_head_dim", 128),
                integer(c, "qk_rope_head_dim", 64),
                integer(c, "v_head_dim", 128),
                integer(c, "n_routed_experts", 256),
                c.has("n_shared_experts") && c.get("n_shared_experts").isNull() ? 0 : integer(c, "n_shared_experts", 1),
                integer(c, "num_experts_per_tok", 8),
                integer(c, "n_group", 8),
                integer(c, "topk_group", 4),
                bool(c, "norm_topk_prob", true),
                number(c, "routed_scaling_factor", 2.5),
                text(c, "scoring_func", "sigmoid"),
                text(c, "topk_method", "noaux_tc"),
                integer(c, "first_k_dense_replace", 3),
                integer(c, "moe_layer_freq", 1),
                number(c, "rms_norm_eps", 1e-6),
                ropeTheta,
                ropeScaling(rope, integer(c, "max_position_embeddings", 4096)),
                bool(c, "rope_interleave", true),
                integer(c, "max_position_embeddings", 4096),
                bool(c, "tie_word_embeddings", false),
                bool(c, "attention_bias", false),
                c.hasNonNull("bos_token_id") ? c.get("bos_token_id").asInt() : 0,
                eosIds(c.get("eos_token_id")),
                QuantizationConfig.fromConfig(c.get("quantization_config")));
        spec.validate();
        return spec;
    }

    private static RopeScaling ropeScaling(JsonNode rope, int maxPositions) {
        if (rope == null || rope.isNull()) {
            return RopeScaling.none();
        }
        String type = text(rope, "rope_type", text(rope, "type", "default")).toLowerCase(Locale.ROOT);
        if (type.equals("default")) {
            return RopeScaling.none();
        }
        if (!type.equals("yarn")) {
            throw new ModelException("unsupported rope_scaling type \"" + type + "\" (supported: yarn)");
        }
        double factor = number(rope, "factor", 1.0);
        return new RopeScaling("yarn",
                factor,
                integer(rope, "original_max_position_embeddings", maxPositions),
                rope.hasNonNull("beta_fast") && rope.get("beta_fast").asDouble() != 0 ? rope.get("beta_fast").asDouble() : 32,
                rope.hasNonNull("beta_slow") && rope.get("beta_slow").asDouble() != 0 ? rope.get("beta_slow").asDouble() : 1,
                number(rope, "mscale", 0.0),
                number(rope, "mscale_all_dim", 0.0),
                number(rope, "attention_factor", 0.0));
    }

    private void validate() {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hidden);
        positive("num_hidden_layers", layers);
        positive("num_attention_heads", heads);
        positive("kv_lora_rank", kvLoraRank);
        positive("qk_rope_head_dim", qkRopeHeadDim);
        positive("v_head_dim", vHeadDim);
        if (qkNopeHeadDim < 0 || qLoraRank < 0) {
            throw new ModelException("qk_nope_head_dim and q_lora_rank must not be negative");
        }
        if (qkRopeHeadDim % 2 != 0) {
            throw new ModelException("qk_rope_head_dim " + qkRopeHeadDim + " must be even: RoPE rotates pairs");
        }
        if (firstKDenseReplace < layers) {
            positive("moe_intermediate_size", moeIntermediate);
            positive("n_routed_experts", routedExperts);
            positive("num_experts_per_tok", expertsPerToken);
            positive("n_group", nGroup);
            positive("moe_layer_freq", moeLayerFreq);
            if (routedExperts % nGroup != 0) {
                throw new ModelException("n_routed_experts " + routedExperts + " is not divisible by n_group " + nGroup);
            }
            if (topkGroup < 1 || topkGroup > nGroup) {
                throw new ModelException("topk_group " + topkGroup + " must lie in [1, n_group " + nGroup + "]");
            }
            if (expertsPerToken > topkGroup * (routedExperts / nGroup)) {
                throw new ModelException("num_experts_per_tok " + expertsPerToken + " exceeds the "
                        + topkGroup * (routedExperts / nGroup) + " experts of the chosen groups");
            }
            if (!scoringFunc.equals("sigmoid") && !scoringFunc.equals("softmax")) {
                throw new ModelException("unsupported scoring_func \"" + scoringFunc + "\" (supported: sigmoid, softmax)");
            }
            if (sharedExperts < 0) {
                throw new ModelException("n_shared_experts must not be negative");
            }
        }
        if (firstKDenseReplace > 0) {
            positive("intermediate_size", intermediate);
        }
        if (!(rmsNormEps > 0)) {
            throw new ModelException("rms_norm_eps must be positive");
        }
        if (!(ropeTheta > 0)) {
            throw new ModelException("rope_theta must be positive");
        }
    }

    /** Whether layer {@code layer} has an MoE block rather than a dense MLP. */
    public boolean isMoeLayer(int layer) {
        return layer >= firstKDenseReplace && layer % moeLayerFreq == 0;
    }

    public int qkHeadDim() {
        return qkNopeHeadDim + qkRopeHeadDim;
    }

    /** Width of the shared experts' MLP, all shared experts fused into one. */
    public int sharedIntermediate() {
        return moeIntermediate * sharedExperts;
    }

    /** Whether expert scores get {@code e_score_correction_bias} added for selection. */
    public boolean usesCorrectionBias() {
        return topkMethod.equals("noaux_tc");
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new ModelException(key + " must be positive, is " + value);
        }
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    private static int integer(JsonNode node, String key, int fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ModelException(key + " must be an integer, is " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode node, String key, double fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new ModelException(key + " must be a number, is " + v);
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode node, String key, boolean fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new ModelException(key + " must be true or false, is " + v);
        }
        return v.asBoolean();
    }

    private static List<Integer> eosIds(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of(1);
        }
        if (node.isArray()) {
            java.util.ArrayList<Integer> ids = new java.util.ArrayList<>();
            node.forEach(n -> ids.add(n.asInt()));
            return ids;
        }
        return List.of(node.asInt());
    }
}
