package org.moebatch.cuda;

/**
 * The sizes the device pool hands out, so a freed buffer fits the next request of about the same
 * size: powers of two up to 1 MiB (small step tables, per-token rows), whole 2 MiB pages above (the
 * driver maps large allocations in 2 MiB pages anyway). Activations grow by half again when a step
 * outgrows them, so a few classes serve every step size.
 */
public final class SizeClasses {
    static final long MIN = 512;
    static final long SMALL_LIMIT = 1L << 20;
    static final long PAGE = 2L << 20;

    private SizeClasses() {}

    /** The class a request of {@code bytes} is served from: at least {@code bytes}. */
    public static long round(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a device buffer of " + bytes + " bytes");
        }
        if (bytes <= SMALL_LIMIT) {
            return Math.max(MIN, Long.highestOneBit(bytes - 1) << 1);
        }
        return (bytes + PAGE - 1) / PAGE * PAGE;
    }
}
