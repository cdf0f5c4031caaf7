package org.moebatch.model;

import java.nio.file.Path;
import org.moebatch.backend.Backend;
import org.moebatch.backend.Batch;
import org.moebatch.backend.KvCache;
import org.moebatch.backend.Linear;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.Weight;

/**
 * A decoder-only MoE language model of any {@linkplain ModelFamily supported family}: embedding,
 * pre-norm decoder layers (an {@link Attention}, then a dense MLP or an {@link MoeBlock}), final norm,
 * LM head. {@link ModelLoader} picks each layer's blocks from {@code config.json}; the forward pass
 * is the same for every family. Weights stay memory-mapped (or on the device); the model itself is
 * immutable and may serve any number of steps, one at a time per {@link Workspace}.
 */
public final class MoeModel {
    private final ModelSpec spec;
    private final Checkpoint checkpoint;
    private final Weight embedding;      // model.embed_tokens
    private final DecoderLayer[] layers; // model.layers
    private final float[] finalNorm;     // model.norm
    private final Linear lmHead;         // lm_head
    private final RotaryEmbedding rotary;

    MoeModel(ModelSpec spec, Checkpoint checkpoint, Weight embedding, DecoderLayer[] layers,
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
    public static MoeModel load(Path dir, Backend backend) {
        ModelSpec spec = ModelSpec.read(dir);
        Checkpoint checkpoint = Checkpoint.open(dir);
        return new ModelLoader(spec, checkpoint, backend).load();
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
     * Runs one step: every token of {@code batch} through every layer, each layer's cache entry for
     * it (MLA's latent and rope key, or GQA's key and value) appended to {@code cache}, then the LM head for the batch's logit rows. Returns {@code ws.logits()},
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
        // The step's expert load, read once here rather than once per MoE layer: on a GPU each read
        // waits for the device, and the router's choices otherwise never leave it.
        ws.expertLoad.addStep(be, ws.expertCounts);
        return ws.logits;
    }
}
