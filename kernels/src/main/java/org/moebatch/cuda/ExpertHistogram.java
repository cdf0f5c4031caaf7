package org.moebatch.cuda;

/**
 * The layout of the step's expert-load histogram that router.cu's count_experts fills on the device,
 * and how the host reads it back. One row per layer of {@code experts + 1} ints: entry {@code e}
 * counts the slots routed to expert {@code e}, the last entry those routed to none ({@code -1}, the
 * router found no eligible expert). Every MoE layer adds its row on the device; the host downloads
 * the whole histogram once per step and zeroes it, so expert load costs one wait per step, not one
 * per MoE layer. {@link #count} is the kernel's plain reference.
 */
public final class ExpertHistogram {
    static final int THREADS = 256;

    private ExpertHistogram() {}

    /** Ints per layer: one per expert and one for slots routed to no expert. */
    public static int rowInts(int experts) {
        if (experts < 1) {
            throw new IllegalArgumentException("a histogram of " + experts + " experts");
        }
        return experts + 1;
    }

    /** Ints of the whole histogram, {@code [layers, experts + 1]}. */
    public static long ints(int layers, int experts) {
        if (layers < 0) {
            throw new IllegalArgumentException("a histogram of " + layers + " layers");
        }
        return (long) layers * rowInts(experts);
    }

    /** Where the row of {@code layer} starts, in bytes. */
    public static long rowOffsetBytes(int layer, int layers, int experts) {
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " of an expert histogram of " + layers + " layers");
        }
        return 4L * layer * rowInts(experts);
    }

    /** The row of {@code layer} within {@code histogram}, what count_experts is handed. */
    public static DeviceBuffer row(DeviceBuffer histogram, int layer, int layers, int experts) {
        return histogram.slice(rowOffsetBytes(layer, layers, experts), 4L * rowInts(experts));
    }

    /** count_experts: one thread per slot. */
    public static Launch launch(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("counting " + slots + " slots");
        }
        return Launch.of(Launch.ceilDiv(slots, THREADS), THREADS);
    }

    /** What count_experts does to {@code histogram}'s row of {@code layer}, on the host. */
    public static void count(int[] chosen, int slots, int experts, int[] histogram, int layer) {
        int row = layer * rowInts(experts);
        for (int i = 0; i < slots; i++) {
            int e = chosen[i];
            histogram[row + (e >= 0 && e < experts ? e : experts)]++;
        }
    }

    /**
     * Splits a downloaded histogram: {@code into[layer][expert]} gets each layer's expert counts,
     * and the returned array each layer's slots routed to no expert.
     */
    public static int[] read(int[] histogram, int layers, int experts, long[][] into) {
        int width = rowInts(experts);
        if (histogram.length < ints(layers, experts)) {
            throw new IllegalArgumentException("an expert histogram of " + histogram.length + " ints for " + layers
                    + " layers x " + width);
        }
        int[] unrouted = new int[layers];
        for (int l = 0; l < layers; l++) {
            for (int e = 0; e < experts; e++) {
                into[l][e] = histogram[l * width + e];
            }
            unrouted[l] = histogram[l * width + experts];
        }
        return unrouted;
    }
}
