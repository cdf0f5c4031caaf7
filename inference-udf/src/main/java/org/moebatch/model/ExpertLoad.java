package org.moebatch.model;

import java.util.concurrent.atomic.AtomicLongArray;
import org.moebatch.backend.Backend;
import org.moebatch.backend.ExpertCounts;

/**
 * How many tokens each expert of each MoE layer has received: the data behind the load-balance
 * figure of the benchmark and the heatmap of the job report, where routing collapse or a hot expert
 * shows at a glance. The backend counts each step in its own memory ({@link ExpertCounts}); this adds
 * the step's histogram once per step. Counted by the engine thread, readable from any thread.
 */
public final class ExpertLoad {
    private final AtomicLongArray[] perLayer; // null for dense layers
    private final long[][] step;              // [layers][experts]: the last step's histogram, engine thread only

    public ExpertLoad(ModelSpec spec) {
        perLayer = new AtomicLongArray[spec.layers()];
        step = new long[spec.layers()][Math.max(1, spec.routedExperts())];
        for (int i = 0; i < spec.layers(); i++) {
            if (spec.isMoeLayer(i)) {
                perLayer[i] = new AtomicLongArray(spec.routedExperts());
            }
        }
    }

    /** Reads the step's histogram from {@code be} (zeroing it there) and adds it. */
    void addStep(Backend be, ExpertCounts counts) {
        be.drainExpertCounts(counts, step);
        for (int layer = 0; layer < perLayer.length; layer++) {
            AtomicLongArray total = perLayer[layer];
            if (total == null) {
                continue;
            }
            long[] row = step[layer];
            for (int e = 0; e < total.length(); e++) {
                if (row[e] != 0) {
                    total.addAndGet(e, row[e]);
                }
            }
        }
    }

    /** Tokens per expert, {@code [layer][expert]}; a dense layer's row is empty. */
    public long[][] snapshot() {
        long[][] out = new long[perLayer.length][];
        for (int i = 0; i < perLayer.length; i++) {
            AtomicLongArray counts = perLayer[i];
            out[i] = new long[counts == null ? 0 : counts.length()];
            for (int e = 0; e < out[i].length; e++) {
                out[i][e] = counts.get(e);
            }
        }
        return out;
    }
}
