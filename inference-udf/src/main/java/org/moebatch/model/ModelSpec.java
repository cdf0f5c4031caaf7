package org.moebatch.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a model of one of the {@linkplain ModelFamily supported families}, read from the
 * checkpoint's {@code config.json} with the defaults of that family's Hugging Face config class
 * ({@code DeepseekV3Config}, {@code Qwen3MoeConfig}, {@code MixtralConfig}, {@code OlmoeConfig}).
 *
 * <p>One record for every family: the MLA widths ({@code q_lora_rank}, {@code kv_lora_rank},
 * {@code qk_nope_head_dim}, {@code v_head_dim}) are 0 for grouped-query attention, whose heads are
 * {@code headDim} wide with RoPE over all of it; the DeepSeek routing switches take the values that
 * make the shared router behave as the softmax top-k of the other families.
 *
 * @param kvHeads          key/value heads of grouped-query attention (MLA: the query heads)
 * @param headDim          query/key/value head width of grouped-query attention (MLA: 0)
 * @param qkNorm           where grouped-query attention normalises queries and keys
 * @param denseLayers      layers whose feed-forward is a dense MLP rather than an MoE block
 * @param qLoraRank        0 when queries are projected directly ({@code q_proj}), as in V2-Lite
 * @param scoringFunc      "sigmoid" (V3, K2) or "softmax"
 * @param topkMethod       "noaux_tc" uses {@code e_score_correction_bias} to choose experts
 * @param ropeInterleave   whether RoPE pairs are adjacent elements (the official layout) or halves
 * @param quantization     how the linear layers are stored ({@code quantization_config}); NONE when plain
 */
public record ModelSpec(
        String modelType,
        ModelFamily family,
        int vocabSize,
        int hidden,
        int intermediate,
        int moeIntermediate,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        QkNorm qkNorm,
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
        List<Integer> denseLayers,
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

    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelSpec {
        eosTokenIds = List.copyOf(eosTokenIds);
        denseLayers = List.copyOf(denseLayers);
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

    /** Parses a {@code config.json} tree; missing keys take the defaults of the family's config class. */
    public static ModelSpec fromConfig(JsonNode c) {
        ModelFamily family = ModelFamily.of(text(c, "model_type", ""));
        String act = text(c, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ModelException("unsupported hidden_act \"" + act + "\" (supported: silu)");
        }
        ModelSpec spec = family.latentAttention() ? deepseekV3(c) : groupedQuery(c, family);
        spec.validate();
        return spec;
    }

    /** {@code DeepseekV3Config}'s keys and defaults (Kimi K2 ships the same keys as {@code kimi_k2}). */
    private static ModelSpec deepseekV3(JsonNode c) {
        int heads = integer(c, "num_attention_heads", 128);
        int kvHeads = integer(c, "num_key_value_heads", heads);
        if (kvHeads != heads) {
            // MLA shares one latent across heads; the kv-head count is a leftover of the config class.
            // Values other than the head count have no meaning for this architecture.
            throw new ModelException("num_key_value_heads " + kvHeads + " differs from num_attention_heads "
                    + heads + "; MLA has no key/value head groups");
        }
        int layers = integer(c, "num_hidden_layers", 61);
        int firstDense = integer(c, "first_k_dense_replace", 3);
        int moeLayerFreq = integer(c, "moe_layer_freq", 1);
        positive("moe_layer_freq", moeLayerFreq);
        List<Integer> dense = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            if (i < firstDense || i % moeLayerFreq != 0) {
                dense.add(i);
            }
        }
        JsonNode rope = ropeNode(c);
        int maxPositions = integer(c, "max_position_embeddings", 4096);
        return new ModelSpec(
                text(c, "model_type", ""),
                ModelFamily.DEEPSEEK_V3,
                integer(c, "vocab_size", 129280),
                integer(c, "hidden_size", 7168),
                integer(c, "intermediate_size", 18432),
                integer(c, "moe_intermediate_size", 2048),
                layers,
                heads,
                heads,
                0,
                QkNorm.NONE,
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
                dense,
                number(c, "rms_norm_eps", 1e-6),
                ropeTheta(c, rope, 10000.0),
                ropeScaling(rope, maxPositions),
                bool(c, "rope_interleave", true),
                maxPositions,
                bool(c, "tie_word_embeddings", false),
                bool(c, "attention_bias", false),
                c.hasNonNull("bos_token_id") ? c.get("bos_token_id").asInt() : 0,
                eosIds(c.get("eos_token_id")),
                QuantizationConfig.fromConfig(c.get("quantization_config")));
    }

    /**
     * Qwen3-MoE, Mixtral and OLMoE: grouped-query attention with RoPE in halves over the whole head,
     * a softmax router choosing the top k of all experts, no shared expert. Defaults are those of
     * {@code Qwen3MoeConfig}, {@code MixtralConfig} and {@code OlmoeConfig}.
     */
    private static ModelSpec groupedQuery(JsonNode c, ModelFamily family) {
        boolean qwen = family == ModelFamily.QWEN3_MOE;
        boolean mixtral = family == ModelFamily.MIXTRAL;
        int hidden = integer(c, "hidden_size", mixtral ? 4096 : 2048);
        int heads = integer(c, "num_attention_heads", qwen ? 32 : mixtral ? 32 : 16);
        int kvHeads = integer(c, "num_key_value_heads", qwen ? 4 : mixtral ? 8 : heads);
        positive("num_attention_heads", heads);
        positive("num_key_value_heads", kvHeads);
        int headDim = integer(c, "head_dim", hidden / heads);
        int layers = integer(c, "num_hidden_layers", qwen ? 24 : mixtral ? 32 : 16);
        int experts = integer(c, mixtral ? "num_local_experts" : "num_experts", qwen ? 128 : mixtral ? 8 : 64);
        int intermediate = integer(c, "intermediate_size", qwen ? 6144 : mixtral ? 14336 : 2048);
        List<Integer> dense = new ArrayList<>();
        if (qwen) {
            // Qwen3MoeDecoderLayer: MoE where the layer is not in mlp_only_layers, there are experts,
            // and (layer + 1) is a multiple of decoder_sparse_step.
            int step = integer(c, "decoder_sparse_step", 1);
            positive("decoder_sparse_step", step);
            List<Integer> mlpOnly = intList(c, "mlp_only_layers");
            for (int i = 0; i < layers; i++) {
                if (mlpOnly.contains(i) || experts == 0 || (i + 1) % step != 0) {
                    dense.add(i);
                }
            }
            if (bool(c, "use_sliding_window", false)) {
                throw new ModelException("use_sliding_window true is not supported (Qwen3-MoE checkpoints ship false)");
            }
        }
        if (mixtral && c.hasNonNull("sliding_window")
                && integer(c, "sliding_window", 0) < integer(c, "max_position_embeddings", 4096 * 32)) {
            throw new ModelException("sliding_window " + c.get("sliding_window") + " is not supported (Mixtral "
                    + "checkpoints ship null); set it to null to attend over the whole context");
        }
        if (family == ModelFamily.OLMOE && c.hasNonNull("clip_qkv")) {
            throw new ModelException("clip_qkv " + c.get("clip_qkv") + " is not supported (OLMoE checkpoints ship null)");
        }
        JsonNode rope = ropeNode(c);
        int maxPositions = integer(c, "max_position_embeddings", qwen ? 32768 : mixtral ? 4096 * 32 : 4096);
        return new ModelSpec(
                text(c, "model_type", ""),
                family,
                integer(c, "vocab_size", qwen ? 151936 : mixtral ? 32000 : 50304),
                hidden,
                // Mixtral's and OLMoE's experts are intermediate_size wide and there is no dense MLP;
                // Qwen3's dense layers use intermediate_size, its experts moe_intermediate_size.
                qwen ? intermediate : 0,
                qwen ? integer(c, "moe_intermediate_size", 768) : intermediate,
                layers,
                heads,
                kvHeads,
                headDim,
                qwen ? QkNorm.PER_HEAD : family == ModelFamily.OLMOE ? QkNorm.WHOLE : QkNorm.NONE,
                0,
                0,
                0,
                0,
                0,
                experts,
                0,
                integer(c, "num_experts_per_tok", mixtral ? 2 : 8),
                1,
                1,
                mixtral || bool(c, "norm_topk_prob", false), // Mixtral always renormalises its top 2
                1.0,
                "softmax",
                "greedy",
                dense,
                number(c, "rms_norm_eps", qwen ? 1e-6 : 1e-5),
                ropeTheta(c, rope, mixtral ? 1e6 : 10000.0),
                ropeScaling(rope, maxPositions),
                false,
                maxPositions,
                bool(c, "tie_word_embeddings", false),
                bool(c, "attention_bias", false),
                c.hasNonNull("bos_token_id") ? c.get("bos_token_id").asInt() : 1,
                eosIds(c.get("eos_token_id")),
                QuantizationConfig.fromConfig(c.get("quantization_config")));
    }

    private static JsonNode ropeNode(JsonNode c) {
        return c.has("rope_scaling") && !c.get("rope_scaling").isNull() ? c.get("rope_scaling") : c.get("rope_parameters");
    }

    private static double ropeTheta(JsonNode c, JsonNode rope, double fallback) {
        return number(c, "rope_theta", rope != null && rope.has("rope_theta") ? rope.get("rope_theta").asDouble() : fallback);
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
        if (family.latentAttention()) {
            positive("kv_lora_rank", kvLoraRank);
            positive("qk_rope_head_dim", qkRopeHeadDim);
            positive("v_head_dim", vHeadDim);
            if (qkNopeHeadDim < 0 || qLoraRank < 0) {
                throw new ModelException("qk_nope_head_dim and q_lora_rank must not be negative");
            }
        } else {
            positive("head_dim", headDim);
            if (heads % kvHeads != 0) {
                throw new ModelException("num_attention_heads " + heads + " is not a multiple of num_key_value_heads "
                        + kvHeads + ": each key/value head serves a whole group of query heads");
            }
        }
        if (ropeDim() % 2 != 0) {
            throw new ModelException((family.latentAttention() ? "qk_rope_head_dim " : "head_dim ") + ropeDim()
                    + " must be even: RoPE rotates pairs");
        }
        if (denseLayers.size() < layers) {
            positive("moe_intermediate_size", moeIntermediate);
            positive(family == ModelFamily.MIXTRAL ? "num_local_experts" : "n_routed_experts", routedExperts);
            positive("num_experts_per_tok", expertsPerToken);
            positive("n_group", nGroup);
            if (expertsPerToken > routedExperts) {
                throw new ModelException("num_experts_per_tok " + expertsPerToken + " exceeds the " + routedExperts + " experts");
            }
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
        if (!denseLayers.isEmpty()) {
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
        return !denseLayers.contains(layer);
    }

    /** Width of a query (and key) head: {@code qk_nope + qk_rope} for MLA, {@code head_dim} otherwise. */
    public int qkHeadDim() {
        return family.latentAttention() ? qkNopeHeadDim + qkRopeHeadDim : headDim;
    }

    /** Width of each head's part that RoPE rotates: MLA's rope part, the whole head otherwise. */
    public int ropeDim() {
        return family.latentAttention() ? qkRopeHeadDim : headDim;
    }

    /** Width of a value head: {@code v_head_dim} for MLA, {@code head_dim} otherwise. */
    public int valueHeadDim() {
        return family.latentAttention() ? vHeadDim : headDim;
    }

    /** Floats one position's cache entry holds per layer: MLA's latent and rope key, or every key and value head. */
    public int cacheEntryFloats() {
        return family.latentAttention() ? kvLoraRank + qkRopeHeadDim : 2 * kvHeads * headDim;
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

    private static List<Integer> intList(JsonNode node, String key) {
        JsonNode v = node.get(key);
        List<Integer> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new ModelException(key + " must be a list of layer indices, is " + v);
        }
        for (JsonNode n : v) {
            if (!n.isIntegralNumber()) {
                throw new ModelException(key + " must be a list of layer indices, has " + n);
            }
            out.add(n.asInt());
        }
        return out;
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
