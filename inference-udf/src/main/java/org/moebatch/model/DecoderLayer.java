package org.moebatch.model;

import org.moebatch.backend.Backend;
import org.moebatch.backend.Batch;
import org.moebatch.backend.KvCache;

/** One pre-norm transformer layer: {@code h += attn(norm(h)); h += ffn(norm(h))}. */
final class DecoderLayer {
    private final float[] inputNorm;          // input_layernorm
    private final Attention attention;        // self_attn
    private final float[] postAttentionNorm;  // post_attention_layernorm
    private final FeedForward ffn;            // mlp
    private final float eps;

    DecoderLayer(float[] inputNorm, Attention attention, float[] postAttentionNorm, FeedForward ffn, float eps) {
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.postAttentionNorm = postAttentionNorm;
        this.ffn = ffn;
        this.eps = eps;
    }

    void forward(Backend be, Batch batch, KvCache cache, Workspace ws) {
        be.rmsNorm(ws.normed, ws.hidden, inputNorm, eps);
        attention.forward(be, batch, cache, ws);
        be.addRmsNorm(ws.hidden, ws.attnOut, ws.normed, postAttentionNorm, eps);
        ffn.forward(be, ws);
        be.add(ws.hidden, ws.ffnOut);
    }

    FeedForward ffn() {
        return ffn;
    }
}
