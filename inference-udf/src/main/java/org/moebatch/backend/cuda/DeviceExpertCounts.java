package org.moebatch.backend.cuda;

import org.moebatch.backend.ExpertCounts;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.ExpertHistogram;

/**
 * The step's expert-load histogram in device memory, laid out as {@link ExpertHistogram} says: each
 * MoE layer's count_experts adds to its row on the stream, and the backend downloads and zeroes the
 * whole once per step. Goes back to the pool once collected.
 */
final class DeviceExpertCounts implements ExpertCounts {
    private final int layers;
    private final int experts;
    private final DeviceBuffer histogram;
    private int[] host = new int[0];

    DeviceExpertCounts(int layers, int experts, DeviceBuffer histogram, Reclaimer reclaimer) {
        this.layers = layers;
        this.experts = experts;
        this.histogram = histogram;
        reclaimer.track(this, histogram);
    }

    @Override
    public int layers() {
        return layers;
    }

    @Override
    public int experts() {
        return experts;
    }

    DeviceBuffer histogram() {
        return histogram;
    }

    /** Ints of the histogram, {@code layers * (experts + 1)}. */
    int ints() {
        return Math.toIntExact(ExpertHistogram.ints(layers, experts));
    }

    /** Host room for one download of the histogram. */
    int[] hostCopy() {
        if (host.length < ints()) {
            host = new int[ints()];
        }
        return host;
    }
}
