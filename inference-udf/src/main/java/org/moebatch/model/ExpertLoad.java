package org.moebatch.model;

import java.util.concurrent.atomic.AtomicLongArray;
import org.moebatch.backend.Routing;

/**
 * How many tokens each expert of each MoE layer has received: the data behind the load-balance
 * figure of the benchmark and the heatmap of the job report, where routing collapse or a hot expert
 * shows at a glance. Counted by the engine thread, readable from any thread.
 */
public final class ExpertLoad {
    private final AtomicLongArray[] perLayer; // null for dense layers

    public ExpertLoad(ModelSpec spec) {
        perLayer = new AtomicLongArray[spec.layers()];
        for (int i = 0; i < spec.layers(); i++) {
            if (spec.isMoeLayer(i)) {
                perLayer[i] = new AtomicLongArray(spec.routedExperts());
            }
        }
    }

    void count(int layer, Routing routing) {
        AtomicLongArray counts = perLayer[layer];
        int n = routing.tokens() * routing.expertsPerToken();
        int[] experts = routing.experts();
        for (int i = 0; i < n; i++) {
            counts.incrementAndGet(experts[i]);
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
