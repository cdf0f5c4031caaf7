package org.moebatch.backend;

/**
 * Storage for the pages of the attention cache, owned by a backend. A page holds, for every layer and
 * for {@link #pageSize()} consecutive positions of one sequence, one entry per position as its
 * {@link KvLayout} says: MLA's compressed form (the normalised latent, {@code kv_lora_rank}, and the
 * rotated rope key, {@code qk_rope_head_dim}; never expanded keys and values), or grouped-query
 * attention's rotated keys and values of every key/value head. Which page belongs to which sequence
 * is the {@code engine.KvPagePool}'s business.
 */
public interface KvCache {
    int pageSize();

    int pageCount();

    /** Bytes of storage per page. */
    long pageBytes();
}
