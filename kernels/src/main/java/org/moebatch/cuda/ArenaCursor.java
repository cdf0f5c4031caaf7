package org.moebatch.cuda;

/**
 * Where the next weight goes in an arena of fixed-size slabs: bump allocation with alignment, a new
 * slab when the current one is full, a slab of its own for anything larger than a slab. Weights
 * are never freed one by one, so thousands of expert matrices cost a few allocations and no
 * per-allocation rounding. Plain arithmetic; {@link WeightArena} does the allocating.
 */
final class ArenaCursor {
    /** Where a request lands: in a new slab of {@code slabBytes} (at offset 0) or in the current one. */
    record Placement(boolean newSlab, long slabBytes, long offset) {}

    private final long slabBytes;
    private final long alignment;
    private long used;
    private boolean open;

    ArenaCursor(long slabBytes, long alignment) {
        if (slabBytes <= 0 || alignment <= 0 || Long.bitCount(alignment) != 1 || slabBytes % alignment != 0) {
            throw new IllegalArgumentException("slab " + slabBytes + ", alignment " + alignment);
        }
        this.slabBytes = slabBytes;
        this.alignment = alignment;
    }

    Placement place(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a weight of " + bytes + " bytes");
        }
        long aligned = (bytes + alignment - 1) & -alignment;
        if (aligned > slabBytes) {
            return new Placement(true, aligned, 0); // its own slab; the current one stays open
        }
        if (!open || used + aligned > slabBytes) {
            open = true;
            used = aligned;
            return new Placement(true, slabBytes, 0);
        }
        long at = used;
        used += aligned;
        return new Placement(false, slabBytes, at);
    }
}
