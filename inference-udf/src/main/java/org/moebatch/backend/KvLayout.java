package org.moebatch.backend;

/**
 * What one position of a sequence puts in the cache for each layer, and for how many query heads.
 *
 * @param entryFloats floats per position and layer: MLA's latent and rope key, or every key and value head
 * @param heads       query heads that read the entries (attention kernels plan their work by it)
 */
public record KvLayout(int entryFloats, int heads) {
    public KvLayout {
        if (entryFloats <= 0 || heads <= 0) {
            throw new IllegalArgumentException("cache entries of " + entryFloats + " floats for " + heads + " heads");
        }
    }

    public static KvLayout of(MlaDims dims) {
        return new KvLayout(dims.cacheEntry(), dims.heads());
    }

    public static KvLayout of(GqaDims dims) {
        return new KvLayout(dims.cacheEntry(), dims.heads());
    }
}
