package org.moebatch.cuda;

/**
 * How the latent cache is paged: a page holds {@code pageSize} consecutive positions of one sequence
 * for every one of {@code layers} layers, float32, laid out [layer][slot][latent + rope].
 */
public record CacheGeometry(int layers, int pageSize) {
    public CacheGeometry {
        if (layers < 1 || pageSize < 1) {
            throw new IllegalArgumentException("cache of " + layers + " layers, pages of " + pageSize);
        }
    }

    /** Bytes of one page for entries of {@code entry} floats. */
    public long pageBytes(int entry) {
        return 4L * layers * pageSize * entry;
    }
}
