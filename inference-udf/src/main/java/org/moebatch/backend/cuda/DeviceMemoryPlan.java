package org.moebatch.backend.cuda;

/**
 * Whether the engine's KV cache fits on the device next to the weights, with room left for a step's
 * activations, step tables and expert scratch (which grow with the step and are not known up front):
 * the larger of 1 GiB and 5% of the device is kept for them.
 *
 * @param freeBytes   device memory free now (the weights are already resident)
 * @param totalBytes  device memory in all
 * @param weightBytes bytes of weights uploaded, for the message
 * @param pageBytes   bytes of one cache page
 */
public record DeviceMemoryPlan(long freeBytes, long totalBytes, long weightBytes, long pageBytes) {
    private static final double MIB = 1 << 20;

    public DeviceMemoryPlan {
        if (pageBytes <= 0) {
            throw new IllegalArgumentException("page of " + pageBytes + " bytes");
        }
    }

    /** Kept free for everything a step allocates. */
    public long activationReserve() {
        return Math.max(1L << 30, totalBytes / 20);
    }

    /** Cache pages that fit beside the weights and the reserve. */
    public long pagesThatFit() {
        return Math.max(0, (freeBytes - activationReserve()) / pageBytes);
    }

    /** Throws, saying how much would fit, when {@code pages} do not. */
    public void check(long pages, String device) {
        if (pages <= pagesThatFit()) {
            return;
        }
        long fit = pagesThatFit();
        throw new IllegalArgumentException(String.format(
                "a KV cache of %d pages (%.0f MiB) does not fit on %s beside %.2f GiB of weights: %.0f MiB free, %.0f MiB kept "
                        + "for activations; at most %d pages (%.0f MiB) fit, so lower the KV cache budget",
                pages, pages * pageBytes / MIB, device, weightBytes / (double) (1L << 30), freeBytes / MIB,
                activationReserve() / MIB, fit, fit * pageBytes / MIB));
    }
}
