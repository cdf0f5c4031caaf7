package org.moebatch.model;

import java.util.Arrays;
import org.moebatch.backend.Backend;
import org.moebatch.backend.GqaDims;
import org.moebatch.backend.Linear;
import org.moebatch.backend.MlaDims;
import org.moebatch.backend.Mlp;
import org.moebatch.backend.Router;
import org.moebatch.tensor.Weight;
import org.moebatch.tensor.WeightMatrix;

/**
 * Assembles a {@link MoeModel} from a checkpoint in the Hugging Face layout: reads each tensor,
 * checks its shape against the config, and picks each layer's blocks from the {@link ModelSpec} —
 * MLA or grouped-query attention, a dense MLP or an MoE block. The tensor names every family
 * shares ({@code model.embed_tokens}, {@code input_layernorm}, {@code self_attn.o_proj}, …) are
 * spelled once here; those that differ come from the {@link ModelFamily}.
 */
final class ModelLoader {
    private final ModelSpec spec;
    private final Checkpoint ckpt;
    private final Backend be;
    private final LinearWeights weights;

    ModelLoader(ModelSpec spec, Checkpoint ckpt, Backend be) {
        this.spec = spec;
        this.ckpt = ckpt;
        this.be = be;
        this.weights = new LinearWeights(ckpt, spec.quantization());
    }

    MoeModel load() {
        RotaryEmbedding rotary = new RotaryEmbedding(spec);
        WeightMatrix embedding = matrix("model.embed_tokens.weight", spec.vocabSize(), spec.hidden());
        DecoderLayer[] layers = new DecoderLayer[spec.layers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = layer(i, rotary);
        }
        float[] finalNorm = vector("model.norm.weight", spec.hidden());
        Weight embeddingWeight = be.weight(embedding);
        Weight head = spec.tieWordEmbeddings() ? embeddingWeight
                : be.weight(weights.linear("lm_head", spec.vocabSize(), spec.hidden()));
        return new MoeModel(spec, ckpt, embeddingWeight, layers, finalNorm, new Linear(head, null), rotary);
    }

    private DecoderLayer layer(int i, RotaryEmbedding rotary) {
        String p = "model.layers." + i + ".";
        float[] inputNorm = vector(p + "input_layernorm.weight", spec.hidden());
        Attention attention = spec.family().latentAttention()
                ? mla(i, p + "self_attn.", rotary)
                : groupedQuery(i, p + "self_attn.", rotary);
        float[] postAttentionNorm = vector(p + "post_attention_layernorm.weight", spec.hidden());
        FeedForward ffn = spec.isMoeLayer(i)
                ? moe(i, p + spec.family().moePrefix())
                : new DenseMlp(mlp(p + "mlp.", spec.intermediate(), "gate_proj", "up_proj", "down_proj"));
        return new DecoderLayer(inputNorm, attention, postAttentionNorm, ffn, (float) spec.rmsNormEps());
    }

    private MlaAttention mla(int layer, String p, RotaryEmbedding rotary) {
        MlaDims d = SeamDescriptors.mla(spec);
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
                kvABias == null ? null : Arrays.copyOfRange(kvABias, 0, d.latent()));
        Linear kvARope = new Linear(be.weight(kvA.rows(d.latent(), d.rope())),
                kvABias == null ? null : Arrays.copyOfRange(kvABias, d.latent(), d.latent() + d.rope()));
        float[] kvANorm = vector(p + "kv_a_layernorm.weight", d.latent());
        Weight kvB = be.weight(weights.linear(p + "kv_b_proj", d.heads() * d.kvBRowsPerHead(), d.latent()));
        Linear o = linear(p + "o_proj", spec.hidden(), d.heads() * d.value(), spec.attentionBias());
        return new MlaAttention(layer, d, qA, qANorm, qB, kvALatent, kvARope, kvANorm, kvB, o, rotary,
                RotaryEmbedding.softmaxScale(spec));
    }

    private GroupedQueryAttention groupedQuery(int layer, String p, RotaryEmbedding rotary) {
        GqaDims d = SeamDescriptors.gqa(spec);
        int qWidth = d.heads() * d.headDim();
        boolean bias = spec.attentionBias();
        float[] qNorm = null;
        float[] kNorm = null;
        switch (spec.qkNorm()) {
            case PER_HEAD -> {
                qNorm = vector(p + "q_norm.weight", d.headDim());
                kNorm = vector(p + "k_norm.weight", d.headDim());
            }
            case WHOLE -> {
                qNorm = vector(p + "q_norm.weight", qWidth);
                kNorm = vector(p + "k_norm.weight", d.kvWidth());
            }
            case NONE -> { }
        }
        return new GroupedQueryAttention(layer, d,
                linear(p + "q_proj", qWidth, spec.hidden(), bias),
                linear(p + "k_proj", d.kvWidth(), spec.hidden(), bias),
                linear(p + "v_proj", d.kvWidth(), spec.hidden(), bias),
                linear(p + "o_proj", spec.hidden(), qWidth, bias),
                spec.qkNorm(), qNorm, kNorm, (float) spec.rmsNormEps(), rotary);
    }

    private MoeBlock moe(int layer, String p) {
        WeightMatrix gate = matrix(p + "gate.weight", spec.routedExperts(), spec.hidden());
        float[] bias = spec.usesCorrectionBias() ? vector(p + "gate.e_score_correction_bias", spec.routedExperts()) : null;
        Router router = new Router(be.weight(gate), bias, SeamDescriptors.topK(spec));
        Mlp[] experts = new Mlp[spec.routedExperts()];
        int width = spec.moeIntermediate();
        if (ckpt.has(p + "experts.gate_up_proj")) {
            // transformers v5 layout: gate_up_proj [E, 2I, H] (gate rows, then up rows), down_proj [E, H, I].
            WeightMatrix gateUp = matrix(p + "experts.gate_up_proj", spec.routedExperts() * 2 * width, spec.hidden());
            WeightMatrix down = matrix(p + "experts.down_proj", spec.routedExperts() * spec.hidden(), width);
            for (int e = 0; e < experts.length; e++) {
                experts[e] = new Mlp(
                        new Linear(be.expertWeight(e, gateUp.rows(e * 2 * width, width)), null),
                        new Linear(be.expertWeight(e, gateUp.rows(e * 2 * width + width, width)), null),
                        new Linear(be.expertWeight(e, down.rows(e * spec.hidden(), spec.hidden())), null));
            }
        } else {
            ModelFamily f = spec.family();
            for (int e = 0; e < experts.length; e++) {
                String x = p + "experts." + e + ".";
                // A routed expert's matrices go to the device that owns it (expert parallelism).
                experts[e] = new Mlp(
                        new Linear(be.expertWeight(e, weights.linear(x + f.expertGate(), width, spec.hidden())), null),
                        new Linear(be.expertWeight(e, weights.linear(x + f.expertUp(), width, spec.hidden())), null),
                        new Linear(be.expertWeight(e, weights.linear(x + f.expertDown(), spec.hidden(), width)), null));
            }
        }
        Mlp shared = spec.sharedExperts() > 0
                ? mlp(p + "shared_experts.", spec.sharedIntermediate(), "gate_proj", "up_proj", "down_proj") : null;
        return new MoeBlock(layer, router, experts, shared);
    }

    private Mlp mlp(String p, int width, String gate, String up, String down) {
        return new Mlp(
                linear(p + gate, width, spec.hidden(), false),
                linear(p + up, width, spec.hidden(), false),
                linear(p + down, spec.hidden(), width, false));
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
                    + Arrays.toString(e.shape()) + " but config.json implies [" + length + "]");
        }
        return ckpt.vector(name);
    }
}
