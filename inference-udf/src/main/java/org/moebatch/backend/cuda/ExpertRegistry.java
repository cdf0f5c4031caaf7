package org.moebatch.backend.cuda;

import java.util.IdentityHashMap;
import java.util.Map;
import org.moebatch.backend.Mlp;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.ExpertTables;
import org.moebatch.cuda.HostStaging;
import org.moebatch.cuda.WeightArena;
import org.moebatch.cuda.WeightType;
import org.moebatch.tensor.Weight;

/**
 * The pointer tables of each MoE layer's experts, built the first time the layer runs and kept:
 * the grouped kernels reach every expert's matrices through them, wherever each was uploaded.
 */
final class ExpertRegistry {
    private final WeightArena arena;
    private final HostStaging staging;
    private final Map<Mlp[], ExpertTables> tables = new IdentityHashMap<>();

    ExpertRegistry(WeightArena arena, HostStaging staging) {
        this.arena = arena;
        this.staging = staging;
    }

    ExpertTables of(Mlp[] experts) {
        ExpertTables t = tables.get(experts);
        if (t == null) {
            t = build(experts);
            tables.put(experts, t);
        }
        return t;
    }

    /**
     * Under expert parallelism an expert may live on another backend (the CPU, say): its table entry
     * is 0, and the routing this backend receives sends no slot to it (-1 instead).
     */
    private ExpertTables build(Mlp[] experts) {
        int n = experts.length;
        long[] gate = new long[n];
        long[] up = new long[n];
        long[] down = new long[n];
        DeviceWeight first = null;
        for (int e = 0; e < n; e++) {
            if (!(experts[e].gate().weight() instanceof DeviceWeight g)) {
                continue;
            }
            DeviceWeight u = device(experts[e].up().weight());
            DeviceWeight d = device(experts[e].down().weight());
            first = first == null ? g : first;
            int width = first.rows();
            int hidden = first.cols();
            for (DeviceWeight w : new DeviceWeight[] {g, u, d}) {
                if (w.type() != first.type()) {
                    throw new IllegalArgumentException("expert " + e + ": " + w + " is " + w.type() + ", the layer's first "
                            + "expert is " + first.type() + "; the grouped kernels need one weight type per layer");
                }
            }
            if (g.rows() != width || g.cols() != hidden || u.rows() != width || u.cols() != hidden || d.rows() != hidden
                    || d.cols() != width) {
                throw new IllegalArgumentException("expert " + e + " has shapes " + g + ", " + u + ", " + d
                        + "; expected gate and up [" + width + ", " + hidden + "], down [" + hidden + ", " + width + "]");
            }
            if (experts[e].gate().bias() != null || experts[e].up().bias() != null || experts[e].down().bias() != null) {
                throw new IllegalArgumentException("expert " + e + " has a bias, which routed experts never have");
            }
            gate[e] = g.buffer().address();
            up[e] = u.buffer().address();
            down[e] = d.buffer().address();
        }
        if (first == null) {
            throw new IllegalArgumentException("none of the layer's " + n + " experts was made by a CUDA backend (use its weight())");
        }
        return new ExpertTables(table(gate, "gate"), table(up, "up"), table(down, "down"), n, first.type());
    }

    private DeviceBuffer table(long[] addresses, String which) {
        DeviceBuffer b = arena.allocate(8L * addresses.length, "expert " + which + " pointers");
        staging.upload(addresses, addresses.length, b, "expert " + which + " pointers");
        return b;
    }

    static DeviceWeight device(Weight w) {
        if (w instanceof DeviceWeight d) {
            return d;
        }
        throw new IllegalArgumentException(w + " was not made by the CUDA backend (use its weight())");
    }

    static WeightType typeOf(Weight w) {
        return device(w).type();
    }
}
