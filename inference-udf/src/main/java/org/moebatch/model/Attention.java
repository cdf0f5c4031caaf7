package org.moebatch.model;

import org.moebatch.backend.Backend;
import org.moebatch.backend.Batch;
import org.moebatch.backend.KvCache;

/** A layer's self-attention: MLA ({@link MlaAttention}) or grouped-query ({@link GroupedQueryAttention}). */
interface Attention {
    /** Reads {@code ws.normed}, writes {@code ws.attnOut}, and appends the step's keys and values to the cache. */
    void forward(Backend be, Batch batch, KvCache cache, Workspace ws);
}
