package org.moebatch.model;

import org.moebatch.engine.Backend;
import org.moebatch.engine.Batch;
import org.moebatch.engine.KvCache;

/** A layer's self-attention: MLA ({@link MlaAttention}) or grouped-query ({@link GroupedQueryAttention}). */
interface Attention {
    /** Reads {@code ws.normed}, writes {@code ws.attnOut}, and appends the step's keys and values to the cache. */
    void forward(Backend be, Batch batch, KvCache cache, Workspace ws);
}
