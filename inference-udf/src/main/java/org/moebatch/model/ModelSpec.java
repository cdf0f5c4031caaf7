package org.moebatch.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The shape of a model of one of the {@linkplain ModelFamily supported families}, read from the
 * checkpoint's {@code config.json} by that family's reader ({@link DeepseekV3Config},
 * {@link Qwen3MoeConfig}, {@link MixtralConfig}, {@link OlmoeConfig}), which gives a missing key the
 * default of the family's Hugging Face config class.
 *
 * <p>One record for every family, built from the blocks a family has: its attention (MLA widths are 0
 * for grouped-query attention), its dense MLP layers, its MoE block and router (the DeepSeek routing
 * switches take the values that make the shared router the softmax top-k of the other families), and
 * its RoPE. The flat accessors below the components read those blocks for the forward pass and the backends.
 *
 * @param layers       decoder layers ({@code num_hidden_layers})
 * @param denseMlp     the layers whose feed-forward is a dense MLP rather than an MoE block, and its width
 * @param quantization how the linear layers are stored ({@code quantization_config}); NONE when plain
 */
public record ModelSpec(
        String modelType,
        ModelFamily family,
        int vocabSize,
        int hidden,
        int layers,
        AttentionSpec attention,
        DenseMlpSpec denseMlp,
        MoeSpec moe,
        RopeSpec rope,
        double rmsNormEps,
        int maxPositions,
        boolean tieWordEmbeddings,
        int bosTokenId,
        List<Integer> eosTokenIds,
        QuantizationConfig quantization) {

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

    /** Parses a {@code config.json} tree; missing keys take the defaults of the family's config class. */
    public static ModelSpec fromConfig(JsonNode root) {
        ConfigJson c = new ConfigJson(root);
        ModelFamily family = ModelFamily.of(c.text("model_type", ""));
        String act = c.text("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ModelException("unsupported hidden_act \"" + act + "\" (supported: silu)");
        }
        ModelSpec spec = family.readConfig(c);
        spec.validate();
        return spec;
    }

    /** What the readers cannot check key by key: the blocks agree with each other and the kernels can run them. */
    private void validate() {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hidden);
        positive("num_hidden_layers", layers);
        positive("num_attention_heads", heads());
        validateAttention();
        if (denseLayers().size() < layers) {
            validateMoe();
        }
        if (!denseLayers().isEmpty()) {
            positive("intermediate_size", intermediate());
        }
        if (!(rmsNormEps > 0)) {
            throw new ModelException("rms_norm_eps must be positive");
        }
        if (!(ropeTheta() > 0)) {
            throw new ModelException("rope_theta must be positive");
        }
    }

    private void validateAttention() {
        if (family.latentAttention()) {
            positive("kv_lora_rank", kvLoraRank());
            positive("qk_rope_head_dim", qkRopeHeadDim());
            positive("v_head_dim", vHeadDim());
            if (qkNopeHeadDim() < 0 || qLoraRank() < 0) {
                throw new ModelException("qk_nope_head_dim and q_lora_rank must not be negative");
            }
        } else {
            positive("head_dim", headDim());
            if (heads() % kvHeads() != 0) {
                throw new ModelException("num_attention_heads " + heads() + " is not a multiple of num_key_value_heads "
                        + kvHeads() + ": each key/value head serves a whole group of query heads");
            }
        }
        if (ropeDim() % 2 != 0) {
            throw new ModelException((family.latentAttention() ? "qk_rope_head_dim " : "head_dim ") + ropeDim()
                    + " must be even: RoPE rotates pairs");
        }
    }

    private void validateMoe() {
        int experts = routedExperts();
        int perToken = expertsPerToken();
        int groups = nGroup();
        int keptGroups = topkGroup();
        positive("moe_intermediate_size", moeIntermediate());
        positive(family == ModelFamily.MIXTRAL ? "num_local_experts" : "n_routed_experts", experts);
        positive("num_experts_per_tok", perToken);
        positive("n_group", groups);
        if (perToken > experts) {
            throw new ModelException("num_experts_per_tok " + perToken + " exceeds the " + experts + " experts");
        }
        if (experts % groups != 0) {
            throw new ModelException("n_routed_experts " + experts + " is not divisible by n_group " + groups);
        }
        if (keptGroups < 1 || keptGroups > groups) {
            throw new ModelException("topk_group " + keptGroups + " must lie in [1, n_group " + groups + "]");
        }
        if (perToken > keptGroups * (experts / groups)) {
            throw new ModelException("num_experts_per_tok " + perToken + " exceeds the "
                    + keptGroups * (experts / groups) + " experts of the chosen groups");
        }
        if (!scoringFunc().equals("sigmoid") && !scoringFunc().equals("softmax")) {
            throw new ModelException("unsupported scoring_func \"" + scoringFunc() + "\" (supported: sigmoid, softmax)");
        }
        if (sharedExperts() < 0) {
            throw new ModelException("n_shared_experts must not be negative");
        }
    }

    /** Whether layer {@code layer} has an MoE block rather than a dense MLP. */
    public boolean isMoeLayer(int layer) {
        return !denseLayers().contains(layer);
    }

    /** Width of a query (and key) head: {@code qk_nope + qk_rope} for MLA, {@code head_dim} otherwise. */
    public int qkHeadDim() {
        return family.latentAttention() ? qkNopeHeadDim() + qkRopeHeadDim() : headDim();
    }

    /** Width of each head's part that RoPE rotates: MLA's rope part, the whole head otherwise. */
    public int ropeDim() {
        return family.latentAttention() ? qkRopeHeadDim() : headDim();
    }

    /** Width of a value head: {@code v_head_dim} for MLA, {@code head_dim} otherwise. */
    public int valueHeadDim() {
        return family.latentAttention() ? vHeadDim() : headDim();
    }

    /** Floats one position's cache entry holds per layer: MLA's latent and rope key, or every key and value head. */
    public int cacheEntryFloats() {
        return family.latentAttention() ? kvLoraRank() + qkRopeHeadDim() : 2 * kvHeads() * headDim();
    }

    /** Width of the shared experts' MLP, all shared experts fused into one. */
    public int sharedIntermediate() {
        return moe.sharedIntermediate();
    }

    /** Whether expert scores get {@code e_score_correction_bias} added for selection. */
    public boolean usesCorrectionBias() {
        return moe.router().usesCorrectionBias();
    }

    private static void positive(String key, int value) {
        ConfigJson.positive(key, value);
    }

    // The blocks' fields by their config.json names, as the forward pass and the backends read them.

    public int heads() {
        return attention.heads();
    }

    public int kvHeads() {
        return attention.kvHeads();
    }

    public int headDim() {
        return attention.headDim();
    }

    public QkNorm qkNorm() {
        return attention.qkNorm();
    }

    public boolean attentionBias() {
        return attention.bias();
    }

    public int qLoraRank() {
        return attention.latent().qLoraRank();
    }

    public int kvLoraRank() {
        return attention.latent().kvLoraRank();
    }

    public int qkNopeHeadDim() {
        return attention.latent().qkNopeHeadDim();
    }

    public int qkRopeHeadDim() {
        return attention.latent().qkRopeHeadDim();
    }

    public int vHeadDim() {
        return attention.latent().vHeadDim();
    }

    /** Width of the dense layers' MLP; 0 where every layer is MoE. */
    public int intermediate() {
        return denseMlp.intermediate();
    }

    public List<Integer> denseLayers() {
        return denseMlp.layers();
    }

    /** Width of one expert's MLP. */
    public int moeIntermediate() {
        return moe.intermediate();
    }

    public int routedExperts() {
        return moe.routedExperts();
    }

    public int sharedExperts() {
        return moe.sharedExperts();
    }

    public int expertsPerToken() {
        return moe.expertsPerToken();
    }

    public int nGroup() {
        return moe.router().nGroup();
    }

    public int topkGroup() {
        return moe.router().topkGroup();
    }

    public boolean normTopkProb() {
        return moe.router().normTopkProb();
    }

    public double routedScalingFactor() {
        return moe.router().routedScalingFactor();
    }

    public String scoringFunc() {
        return moe.router().scoringFunc();
    }

    public String topkMethod() {
        return moe.router().topkMethod();
    }

    public double ropeTheta() {
        return rope.theta();
    }

    public RopeScaling ropeScaling() {
        return rope.scaling();
    }

    public boolean ropeInterleave() {
        return rope.interleave();
    }
}
