package org.moebatch.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.Weight;

/**
 * Wraps a backend and times each operation (wall clock, calls): where a forward pass spends its
 * time, for {@code moe-batch bench --profile}. Linear layers are told apart by output width. Each
 * operation is followed by {@link Backend#synchronize}, so on a GPU an operation's time is its
 * kernels' (the profile itself runs slower than an unprofiled step, which overlaps launches).
 */
public final class ProfilingBackend extends ForwardingBackend {
    private final List<String> names = new ArrayList<>();
    private final List<long[]> totals = new ArrayList<>(); // {nanos, calls}

    public ProfilingBackend(Backend inner) {
        super(inner);
    }

    private long[] slot(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            names.add(name);
            totals.add(new long[2]);
            i = names.size() - 1;
        }
        return totals.get(i);
    }

    private void record(String name, long start) {
        // a GPU launch returns before its kernel has run: the clock stops when the work is done
        inner().synchronize();
        long[] s = slot(name);
        s[0] += System.nanoTime() - start;
        s[1]++;
    }

    /** Forgets what was timed so far (the warm-up). */
    public void reset() {
        names.clear();
        totals.clear();
    }

    /** Operation, milliseconds, calls, share of the timed total; largest first. */
    public String report() {
        long all = totals.stream().mapToLong(t -> t[0]).sum();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Long.compare(totals.get(b)[0], totals.get(a)[0]));
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-34s %10s %8s %6s%n", "operation", "ms", "calls", "share"));
        for (int i : order) {
            long[] t = totals.get(i);
            out.append(String.format(Locale.ROOT, "%-34s %10.1f %8d %5.1f%%%n", names.get(i), t[0] / 1e6, t[1], 100.0 * t[0] / all));
        }
        return out.toString();
    }

    @Override
    public void embed(Tensor out, int[] tokens, Weight table) {
        long t = System.nanoTime();
        super.embed(out, tokens, table);
        record("embed", t);
    }

    @Override
    public void rmsNorm(Tensor out, Tensor x, float[] gamma, float eps) {
        long t = System.nanoTime();
        super.rmsNorm(out, x, gamma, eps);
        record("rmsNorm", t);
    }

    @Override
    public void rmsNormHeads(Tensor x, int heads, float[] gamma, float eps) {
        long t = System.nanoTime();
        super.rmsNormHeads(x, heads, gamma, eps);
        record("rmsNormHeads", t);
    }

    @Override
    public void addRmsNorm(Tensor residual, Tensor delta, Tensor out, float[] gamma, float eps) {
        long t = System.nanoTime();
        super.addRmsNorm(residual, delta, out, gamma, eps);
        record("addRmsNorm", t);
    }

    @Override
    public void add(Tensor residual, Tensor delta) {
        long t = System.nanoTime();
        super.add(residual, delta);
        record("add", t);
    }

    @Override
    public void linear(Tensor out, Tensor x, Linear layer) {
        long t = System.nanoTime();
        super.linear(out, x, layer);
        record("linear " + layer.in() + "->" + layer.out(), t);
    }

    @Override
    public void siluMul(Tensor gate, Tensor up) {
        long t = System.nanoTime();
        super.siluMul(gate, up);
        record("siluMul", t);
    }

    @Override
    public void rope(Tensor x, int heads, int headWidth, int ropeOffset, Batch batch, Rotary rotary) {
        long t = System.nanoTime();
        super.rope(x, heads, headWidth, ropeOffset, batch, rotary);
        record("rope", t);
    }

    @Override
    public void mlaAbsorbQuery(Tensor qLatent, Tensor q, Weight kvB, MlaDims dims) {
        long t = System.nanoTime();
        super.mlaAbsorbQuery(qLatent, q, kvB, dims);
        record("mlaAbsorbQuery", t);
    }

    @Override
    public void storeKv(KvCache cache, int layer, Tensor first, Tensor second, Batch batch) {
        long t = System.nanoTime();
        super.storeKv(cache, layer, first, second, batch);
        record("storeKv", t);
    }

    @Override
    public void mlaAttend(Tensor outLatent, Tensor qLatent, Tensor q, KvCache cache, int layer, Batch batch, MlaDims dims,
            float scale) {
        long t = System.nanoTime();
        super.mlaAttend(outLatent, qLatent, q, cache, layer, batch, dims, scale);
        record("mlaAttend", t);
    }

    @Override
    public void gqaAttend(Tensor out, Tensor q, KvCache cache, int layer, Batch batch, GqaDims dims, float scale) {
        long t = System.nanoTime();
        super.gqaAttend(out, q, cache, layer, batch, dims, scale);
        record("gqaAttend", t);
    }

    @Override
    public void mlaProjectValues(Tensor out, Tensor outLatent, Weight kvB, MlaDims dims) {
        long t = System.nanoTime();
        super.mlaProjectValues(out, outLatent, kvB, dims);
        record("mlaProjectValues", t);
    }

    @Override
    public void route(Routing routing, Tensor logits, Router router) {
        long t = System.nanoTime();
        super.route(routing, logits, router);
        record("route", t);
    }

    @Override
    public void moeExperts(Tensor out, Tensor x, Routing routing, Mlp[] experts) {
        long t = System.nanoTime();
        super.moeExperts(out, x, routing, experts);
        record("moeExperts", t);
    }

    @Override
    public void gatherRows(Tensor out, Tensor x, int[] rows) {
        long t = System.nanoTime();
        super.gatherRows(out, x, rows);
        record("gatherRows", t);
    }

    @Override
    public void copyToHost(Tensor t, float[] destination) {
        long start = System.nanoTime();
        super.copyToHost(t, destination);
        record("copyToHost", start);
    }

    @Override
    public void copyFromHost(float[] source, Tensor t) {
        long start = System.nanoTime();
        super.copyFromHost(source, t);
        record("copyFromHost", start);
    }
}
