package org.moebatch.model;

import org.moebatch.backend.Backend;
import org.moebatch.backend.Batch;
import org.moebatch.backend.GqaDims;
import org.moebatch.backend.KvCache;
import org.moebatch.backend.Linear;

/**
 * Grouped-query attention (Qwen3-MoE, Mixtral; OLMoE with as many key/value heads as query heads).
 * Queries, keys and values are projected, optionally RMS-normalised ({@link QkNorm}), rotated by RoPE
 * in halves over the whole head, and every key and value head of the step is cached; each query head
 * then attends over the cached keys and values of its group.
 */
final class GroupedQueryAttention implements Attention {
    private final int layer;
    private final GqaDims dims;
    private final Linear q;          // q_proj
    private final Linear k;          // k_proj
    private final Linear v;          // v_proj
    private final Linear o;          // o_proj
    private final QkNorm qkNorm;
    private final float[] qNorm;     // q_norm: [head_dim] per head, or [heads * head_dim] whole; null without
    private final float[] kNorm;     // k_norm: [head_dim] or [kv_heads * head_dim]
    private final float normEps;
    private final RotaryEmbedding rotary;
    private final float softmaxScale;

    GroupedQueryAttention(int layer, GqaDims dims, Linear q, Linear k, Linear v, Linear o, QkNorm qkNorm,
            float[] qNorm, float[] kNorm, float normEps, RotaryEmbedding rotary) {
        this.layer = layer;
        this.dims = dims;
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.qkNorm = qkNorm;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.normEps = normEps;
        this.rotary = rotary;
        this.softmaxScale = (float) (1.0 / Math.sqrt(dims.headDim()));
    }

    @Override
    public void forward(Backend be, Batch batch, KvCache cache, Workspace ws) {
        be.linear(ws.q, ws.normed, q);
        be.linear(ws.keys, ws.normed, k);
        be.linear(ws.values, ws.normed, v);
        switch (qkNorm) {
            case PER_HEAD -> {
                be.rmsNormHeads(ws.q, dims.heads(), qNorm, normEps);
                be.rmsNormHeads(ws.keys, dims.kvHeads(), kNorm, normEps);
            }
            case WHOLE -> {
                be.rmsNorm(ws.q, ws.q, qNorm, normEps);
                be.rmsNorm(ws.keys, ws.keys, kNorm, normEps);
            }
            case NONE -> { }
        }
        be.rope(ws.q, dims.heads(), dims.headDim(), 0, batch, rotary);
        be.rope(ws.keys, dims.kvHeads(), dims.headDim(), 0, batch, rotary);
        be.storeKv(cache, layer, ws.keys, ws.values, batch);
        be.gqaAttend(ws.attnValues, ws.q, cache, layer, batch, dims, softmaxScale);
        be.linear(ws.attnOut, ws.attnValues, o);
    }
}
