package org.moebatch.backend;

import org.moebatch.engine.KvPagePool;

/**
 * Storage for the pages of MLA's cache, owned by a backend. A page holds, for every layer and for
 * {@link #pageSize()} consecutive positions of one sequence, the normalised latent
 * ({@code kv_lora_rank}) and the rotated rope key ({@code qk_rope_head_dim}): MLA caches the
 * compressed form, never expanded keys and values. Which page belongs to which sequence is the
 * {@link KvPagePool}'s business.
 */
public interface KvCache {
    int pageSize();

    int pageCount();

    /** Bytes of storage per page. */
    long pageBytes();
}
