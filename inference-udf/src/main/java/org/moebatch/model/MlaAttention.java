package org.moebatch.model;

import org.moebatch.backend.Backend;
import org.moebatch.backend.Batch;
import org.moebatch.backend.KvCache;
import org.moebatch.backend.Linear;
import org.moebatch.backend.MlaDims;
import org.moebatch.tensor.Weight;

/**
 * Multi-head Latent Attention (DeepSeek-V2/V3, Kimi K2). Keys and values are compressed into one
 * latent per token ({@code kv_a_proj_with_mqa}, then {@code kv_a_layernorm}) plus one rope key shared
 * by all heads; only those are cached. Attention runs in the absorbed form of DeepSeek's inference
 * code: the key up-projection {@code W_UK} is folded into the query and the value up-projection
 * {@code W_UV} applied after, so keys and values are never expanded per head.
 */
public final class MlaAttention implements Attention {
    /** HF's q_a_layernorm and kv_a_layernorm are built without an eps argument: RMSNorm's default. */
    static final float LORA_NORM_EPS = 1e-6f;

    private final int layer;
    private final MlaDims dims;
    private final Linear qA;         // q_a_proj, null without q-LoRA
    private final float[] qANorm;    // q_a_layernorm
    private final Linear qB;         // q_b_proj, or q_proj without q-LoRA
    private final Linear kvALatent;  // kv_a_proj_with_mqa, its first kv_lora_rank rows
    private final Linear kvARope;    // kv_a_proj_with_mqa, its last qk_rope_head_dim rows
    private final float[] kvANorm;   // kv_a_layernorm
    private final Weight kvB;        // kv_b_proj: per head, nope rows of W_UK then v rows of W_UV
    private final Linear o;          // o_proj
    private final RotaryEmbedding rotary;
    private final float softmaxScale;

    MlaAttention(int layer, MlaDims dims, Linear qA, float[] qANorm, Linear qB, Linear kvALatent, Linear kvARope,
            float[] kvANorm, Weight kvB, Linear o, RotaryEmbedding rotary, float softmaxScale) {
        this.layer = layer;
        this.dims = dims;
        this.qA = qA;
        this.qANorm = qANorm;
        this.qB = qB;
        this.kvALatent = kvALatent;
        this.kvARope = kvARope;
        this.kvANorm = kvANorm;
        this.kvB = kvB;
        this.o = o;
        this.rotary = rotary;
        this.softmaxScale = softmaxScale;
    }

    /** Reads {@code ws.normed}, writes {@code ws.attnOut}, and appends the step's latents to the cache. */
    @Override
    public void forward(Backend be, Batch batch, KvCache cache, Workspace ws) {
        if (qA != null) {
            be.linear(ws.qA, ws.normed, qA);
            be.rmsNorm(ws.qA, ws.qA, qANorm, LORA_NORM_EPS);
            be.linear(ws.q, ws.qA, qB);
        } else {
            be.linear(ws.q, ws.normed, qB);
        }
        be.linear(ws.latent, ws.normed, kvALatent);
        be.rmsNorm(ws.latent, ws.latent, kvANorm, LORA_NORM_EPS);
        be.linear(ws.keyRope, ws.normed, kvARope);

        be.rope(ws.q, dims.heads(), dims.queryHead(), dims.nope(), batch, rotary);
        be.rope(ws.keyRope, 1, dims.rope(), 0, batch, rotary);
        be.storeKv(cache, layer, ws.latent, ws.keyRope, batch);

        be.mlaAbsorbQuery(ws.qLatent, ws.q, kvB, dims);
        be.mlaAttend(ws.outLatent, ws.qLatent, ws.q, cache, layer, batch, dims, softmaxScale);
        be.mlaProjectValues(ws.attnValues, ws.outLatent, kvB, dims);
        be.linear(ws.attnOut, ws.attnValues, o);
    }
}
