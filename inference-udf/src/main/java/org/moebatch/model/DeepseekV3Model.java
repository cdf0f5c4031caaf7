package org.moebatch.model;

import java.nio.file.Path;
import org.moebatch.engine.Backend;
import org.moebatch.engine.Batch;
import org.moebatch.engine.KvCache;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.Weight;
import org.moebatch.tensor.WeightMatrix;

/**
 * {@code DeepseekV3ForCausalLM}: Kimi K2, DeepSeek-V3 and their smaller kin. Embedding, decoder
 * layers (MLA attention; a dense MLP for the first {@code first_k_dense_replace} layers, MoE after),
 * final norm, LM head. Weights stay memory-mapped (or on the device); the model itself is immutable
 * and may serve any number of steps, one at a time per {@link Workspace}.
 */
public final class DeepseekV3Model {
    private final ModelSpec spec;
    private final Checkpoint checkpoint;
    private final Weight embedding;      // model.embed_tokens
    private final DecoderLayer[] layers; // model.layers
    private final float[] finalNorm;     // model.norm
    private final Linear lmHead;         // lm_head
    private final RotaryEmbedding rotary;

    private DeepseekV3Model(ModelSpec spec, Checkpoint checkpoint, Weight embedding, DecoderLayer[] layers,
            float[] finalNorm, Linear lmHead, RotaryEmbedding rotary) {
        this.spec = spec;
        this.checkpoint = checkpoint;
        this.embedding = embedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rotary = rotary;
    }

    /** Loads a Hugging Face checkpoint directory for {@code backend}. */
    public static DeepseekV3Model load(Path dir, Backend backend) {
        ModelSpec spec = ModelSpec.read(dir);
        Checkpoint checkpoint = Checkpoint.open(dir);
        return new Loader(spec, checkpoint, backend).load();
    }

    public ModelSpec spec() {
        return spec;
    }

    public Path dir() {
        return checkpoint.dir();
    }

    public RotaryEmbedding rotary() {
        return rotary;
    }

    /** A workspace for steps of this model on {@code backend}. */
    public Workspace newWorkspace(Backend backend) {
        return new Workspace(spec, backend);
    }

    /**
     * Runs one step: every token of {@code batch} through every layer, its latent appended to
     * {@code cache}, then the LM head for the batch's logit rows. Returns {@code ws.logits()},
     * {@code [batch.logitCount(), vocab]}. The batch must be {@linkplain Batch#seal sealed}.
     */
    public Tensor forward(Backend be, Batch batch, KvCache cache, Workspace ws) {
        int[] tokens = batch.tokens();
        for (int t = 0; t < batch.tokenCount(); t++) {
            if (tokens[t] < 0 || tokens[t] >= spec.vocabSize()) {
                throw new IllegalArgumentException("token id " + tokens[t] + " at position " + batch.positions()[t]
                        + " is outside the vocabulary [0, " + spec.vocabSize() + ")");
            }
        }
        ws.resize(batch.tokenCount(), batch.logitCount());
        be.embed(ws.hidden, tokens, embedding);
        for (DecoderLayer layer : layers) {
            layer.forward(be, batch, cache, ws);
        }
        be.gatherRows(ws.lastHidden, ws.hidden, batch.logitRows());
        be.rmsNorm(ws.lastHidden, ws.lastHidden, finalNorm, (float) spec.rmsNormEps());
        be.linear(ws.logits, ws.lastHidden, lmHead);
        return ws.logits;
    }

    /** Reads the tensors of the Hugging Face layout and checks each shape against the config. */
    private static final class Loader {
        private final ModelSpec spec;
        private final Checkpoint ckpt;
        private final Backend be;
        private final LinearWeights weights;

        Loader(ModelSpec spec, Checkpoint ckpt, Backend be) {
            this.spec = spec;
            this.ckpt = ckpt;
            this.be = be;
            this.weights = new LinearWeights(ckpt, spec.quantization());
        }

        DeepseekV3Model load() {
            RotaryEmbedding rotary = new RotaryEmbedding(spec);
            float softmaxScale = RotaryEmbedding.softmaxScale(spec);
            WeightMatrix embedding = matrix("model.embed_tokens.weight", spec.vocabSize(), spec.hidden());
            DecoderLayer[] layers = new DecoderLayer[spec.layers()];
            for (int i = 0; i < layers.length; i++) {
                layers[i] = layer(i, rotary, softmaxScale);
            }
            float[] finalNorm = vector("model.norm.weight", spec.hidden());
            WeightMatrix head = spec.tieWordEmbeddings() ? embedding
                    : weights.linear("lm_head", spec.vocabSize(), spec.hidden());
            Weight embeddingWeight = be.weight(embedding);
            Linear lmHead = new Linear(spec.tieWordEmbeddings() ? embeddingWeight : be.weight(head), null);
            return new DeepseekV3Model(spec, ckpt, embeddingWeight, layers, finalNorm, lmHead, rotary);
        }

        private DecoderLayer layer(int i, RotaryEmbedding rotary, float softmaxScale) {
            String p = "model.layers." + i + ".";
            float eps = (float) spec.rmsNormEps();
            return new DecoderLayer(
                    vector(p + "input_layernorm.weight", spec.hidden()),
                    attention(i, p + "self_attn.", rotary, softmaxScale),
                    vector(p + "post_attention_layernorm.weight", spec.hidden()),
                    spec.isMoeLayer(i) ? moe(i, p + "mlp.") : new DenseMlp(mlp(p + "mlp.", spec.intermediate())),
                    eps);
        }

        private MlaAttention attention(int layer, String p, RotaryEmbedding rotary, float softmaxScale) {
            MlaDims d = MlaDims.of(spec);
            int qOut = d.heads() * d.queryHead();
            Linear qA = null;
            float[] qANorm = null;
            Linear qB;
            if (spec.qLoraRank() > 0) {
                qA = linear(p + "q_a_proj", spec.qLoraRank(), spec.hidden(), spec.attentionBias());
                qANorm = vector(p + "q_a_layernorm.weight", spec.qLoraRank());
                qB = linear(p + "q_b_proj", qOut, spec.qLoraRank(), false);
            } else {
                qB = linear(p + "q_proj", qOut, spec.hidden(), false);
            }
            // kv_a_proj_with_mqa's output is [latent | rope key]; split its rows so each half is its own product.
            WeightMatrix kvA = weights.linear(p + "kv_a_proj_with_mqa", d.latent() + d.rope(), spec.hidden());
            float[] kvABias = spec.attentionBias() ? vector(p + "kv_a_proj_with_mqa.bias", d.latent() + d.rope()) : null;
            Linear kvALatent = new Linear(be.weight(kvA.rows(0, d.latent())),
                    kvABias == null ? null : java.util.Arrays.copyOfRange(kvABias, 0, d.latent()));
            Linear kvARope = new Linear(be.weight(kvA.rows(d.latent(), d.rope())),
                    kvABias == null ? null : java.util.Arrays.copyOfRange(kvABias, d.latent(), d.latent() + d.rope()));
            float[] kvANorm = vector(p + "kv_a_layernorm.weight", d.latent());
            Weight kvB = be.weight(weights.linear(p + "kv_b_proj", d.heads() * d.kvBRowsPerHead(), d.latent()));
            Linear o = linear(p + "o_proj", spec.hidden(), d.heads() * d.value(), spec.attentionBias());
            return new MlaAttention(layer, d, qA, qANorm, qB, kvALatent, kvARope, kvANorm, kvB, o, rotary, softmaxScale);
        }

        private MoeBlock moe(int layer, String p) {
            WeightMatrix gate = matrix(p + "gate.weight", spec.routedExperts(), spec.hidden());
            float[] bias = null;
            if (spec.usesCorrectionBias()) {
                bias = vector(p + "gate.e_score_correction_bias", spec.routedExperts());
            }
            Router router = new Router(spec, be.weight(gate), bias);
            Mlp[] experts = new Mlp[spec.routedExperts()];
            if (ckpt.has(p + "experts.gate_up_proj")) {
                // transformers v5 layout: gate_up_proj [E, 2I, H] (gate rows, then up rows), down_proj [E, H, I].
                int width = spec.moeIntermediate();
                WeightMatrix gateUp = matrix(p + "experts.gate_up_proj", spec.routedExperts() * 2 * width, spec.hidden());
                WeightMatrix down = matrix(p + "experts.down_proj", spec.routedExperts() * spec.hidden(), width);
                for (int e = 0; e < experts.length; e++) {
                    experts[e] = new Mlp(
                            new Linear(be.expertWeight(e, gateUp.rows(e * 2 * width, width)), null),
                            new Linear(be.expertWeight(e, gateUp.rows(e * 2 * width + width, width)), null),
                            new Linear(be.expertWeight(e, down.rows(e * spec.hidden(), spec.hidden())), null));
                }
            } else {
                for (int e = 0; e < experts.length; e++) {
                    experts[e] = expert(e, p + "experts." + e + ".");
                }
            }
            Mlp shared = spec.sharedExperts() > 0 ? mlp(p + "shared_experts.", spec.sharedIntermediate()) : null;
            return new MoeBlock(layer, router, experts, shared);
        }

        /** A routed expert: its matrices go to the device that owns it (expert parallelism). */
        private Mlp expert(int e, String p) {
            int width = spec.moeIntermediate();
            return new Mlp(
                    new Linear(be.expertWeight(e, weights.linear(p + "gate_proj", width, spec.hidden())), null),
                    new Linear(be.expertWeight(e, weights.linear(p + "up_proj", width, spec.hidden())), null),
                    new Linear(be.expertWeight(e, weights.linear(p + "down_proj", spec.hidden(), width)), null));
        }

        private Mlp mlp(String p, int width) {
            return new Mlp(
                    linear(p + "gate_proj", width, spec.hidden(), false),
                    linear(p + "up_proj", width, spec.hidden(), false),
                    linear(p + "down_proj", spec.hidden(), width, false));
        }

        private Linear linear(String name, int out, int in, boolean bias) {
            WeightMatrix w = weights.linear(name, out, in);
            return new Linear(be.weight(w), bias ? vector(name + ".bias", out) : null);
        }

        /** A plain tensor as {@code [rows, cols]}; any other shape is an error naming the tensor. */
        private WeightMatrix matrix(String name, int rows, int cols) {
            return weights.plain(name, rows, cols);
        }

        private float[] vector(String name, int length) {
            SafetensorsFile.TensorEntry e = ckpt.entry(name);
            long n = 1;
            for (long s : e.shape()) {
                n *= s;
            }
            if (n != length) {
                throw new ModelException(ckpt.dir() + ": tensor " + name + " has shape "
                        + java.util.Arrays.toString(e.shape()) + " but config.json implies [" + length + "]");
            }
            return ckpt.vector(name);
        }
    }
}
