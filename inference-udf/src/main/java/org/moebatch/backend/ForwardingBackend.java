package org.moebatch.backend;

import java.util.Objects;
import java.util.OptionalLong;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.Weight;
import org.moebatch.tensor.WeightMatrix;

/**
 * A backend that hands every operation, unchanged, to another one: the base of the backends that wrap
 * others. {@link ExpertParallelBackend} sends everything but the routed experts to its first shard;
 * {@link ProfilingBackend} times each call. A subclass overrides only what it changes, and an operation
 * added to the seam is forwarded by adding it here, once.
 */
public abstract class ForwardingBackend implements Backend {
    private final Backend inner;

    protected ForwardingBackend(Backend inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /** The backend every operation not overridden goes to. */
    protected final Backend inner() {
        return inner;
    }

    @Override
    public String device() {
        return inner.device();
    }

    @Override
    public Tensor tensor(int rows, int cols) {
        return inner.tensor(rows, cols);
    }

    @Override
    public Weight weight(WeightMatrix matrix) {
        return inner.weight(matrix);
    }

    @Override
    public Weight expertWeight(int expert, WeightMatrix matrix) {
        return inner.expertWeight(expert, matrix);
    }

    @Override
    public OptionalLong deviceFreeBytes() {
        return inner.deviceFreeBytes();
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    @Override
    public KvCache kvCache(int layers, int pageSize, KvLayout layout, int pages) {
        return inner.kvCache(layers, pageSize, layout, pages);
    }

    @Override
    public void embed(Tensor out, int[] tokens, Weight table) {
        inner.embed(out, tokens, table);
    }

    @Override
    public void rmsNorm(Tensor out, Tensor x, float[] gamma, float eps) {
        inner.rmsNorm(out, x, gamma, eps);
    }

    @Override
    public void rmsNormHeads(Tensor x, int heads, float[] gamma, float eps) {
        inner.rmsNormHeads(x, heads, gamma, eps);
    }

    @Override
    public void addRmsNorm(Tensor residual, Tensor delta, Tensor out, float[] gamma, float eps) {
        inner.addRmsNorm(residual, delta, out, gamma, eps);
    }

    @Override
    public void add(Tensor residual, Tensor delta) {
        inner.add(residual, delta);
    }

    @Override
    public void linear(Tensor out, Tensor x, Linear layer) {
        inner.linear(out, x, layer);
    }

    @Override
    public void siluMul(Tensor gate, Tensor up) {
        inner.siluMul(gate, up);
    }

    @Override
    public void rope(Tensor x, int heads, int headWidth, int ropeOffset, Batch batch, Rotary rotary) {
        inner.rope(x, heads, headWidth, ropeOffset, batch, rotary);
    }

    @Override
    public void mlaAbsorbQuery(Tensor qLatent, Tensor q, Weight kvB, MlaDims dims) {
        inner.mlaAbsorbQuery(qLatent, q, kvB, dims);
    }

    @Override
    public void storeKv(KvCache cache, int layer, Tensor first, Tensor second, Batch batch) {
        inner.storeKv(cache, layer, first, second, batch);
    }

    @Override
    public void mlaAttend(Tensor outLatent, Tensor qLatent, Tensor q, KvCache cache, int layer, Batch batch,
            MlaDims dims, float scale) {
        inner.mlaAttend(outLatent, qLatent, q, cache, layer, batch, dims, scale);
    }

    @Override
    public void mlaProjectValues(Tensor out, Tensor outLatent, Weight kvB, MlaDims dims) {
        inner.mlaProjectValues(out, outLatent, kvB, dims);
    }

    @Override
    public void gqaAttend(Tensor out, Tensor q, KvCache cache, int layer, Batch batch, GqaDims dims, float scale) {
        inner.gqaAttend(out, q, cache, layer, batch, dims, scale);
    }

    @Override
    public Routing routing(int expertsPerToken) {
        return inner.routing(expertsPerToken);
    }

    @Override
    public void route(Routing routing, Tensor logits, Router router) {
        inner.route(routing, logits, router);
    }

    @Override
    public void copyRoutingToHost(Routing routing, int[] experts, float[] weights) {
        inner.copyRoutingToHost(routing, experts, weights);
    }

    @Override
    public void copyRoutingFromHost(int[] experts, float[] weights, int tokens, Routing routing) {
        inner.copyRoutingFromHost(experts, weights, tokens, routing);
    }

    @Override
    public ExpertCounts expertCounts(int layers, int experts) {
        return inner.expertCounts(layers, experts);
    }

    @Override
    public void countExperts(ExpertCounts counts, int layer, Routing routing) {
        inner.countExperts(counts, layer, routing);
    }

    @Override
    public void drainExpertCounts(ExpertCounts counts, long[][] into) {
        inner.drainExpertCounts(counts, into);
    }

    @Override
    public void moeExperts(Tensor out, Tensor x, Routing routing, Mlp[] experts) {
        inner.moeExperts(out, x, routing, experts);
    }

    @Override
    public void gatherRows(Tensor out, Tensor x, int[] rows) {
        inner.gatherRows(out, x, rows);
    }

    @Override
    public void copyToHost(Tensor t, float[] destination) {
        inner.copyToHost(t, destination);
    }

    @Override
    public void copyFromHost(float[] source, Tensor t) {
        inner.copyFromHost(source, t);
    }

    @Override
    public void close() {
        inner.close();
    }
}
