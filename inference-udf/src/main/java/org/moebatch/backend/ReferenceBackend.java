package org.moebatch.backend;

import org.moebatch.tensor.HostTensor;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.Weight;
import org.moebatch.tensor.WeightMatrix;

/**
 * Every backend operation as the plainest loops that compute it, one element at a time, in double
 * precision where a sum is long. Slow on purpose: it is what the fast backends are tested against,
 * and it can run a whole tiny model.
 */
public final class ReferenceBackend implements HostRoutedBackend {

    @Override
    public String device() {
        return "cpu-reference";
    }

    @Override
    public Tensor tensor(int rows, int cols) {
        return new HostTensor(rows, cols);
    }

    @Override
    public Weight weight(WeightMatrix matrix) {
        return matrix;
    }

    @Override
    public KvCache kvCache(int layers, int pageSize, KvLayout layout, int pages) {
        return new HostKvCache(layers, pageSize, layout, pages);
    }

    private static HostTensor host(Tensor t) {
        return (HostTensor) t;
    }

    private static WeightMatrix matrix(Weight w) {
        return (WeightMatrix) w;
    }

    @Override
    public void embed(Tensor out, int[] tokens, Weight table) {
        HostTensor o = host(out);
        WeightMatrix m = matrix(table);
        for (int t = 0; t < o.rows(); t++) {
            for (int c = 0; c < o.cols(); c++) {
                o.set(t, c, m.get(tokens[t], c));
            }
        }
    }

    @Override
    public void rmsNorm(Tensor out, Tensor x, float[] gamma, float eps) {
        HostTensor o = host(out);
        HostTensor in = host(x);
        int n = in.cols();
        for (int t = 0; t < in.rows(); t++) {
            double sumSquares = 0;
            for (int c = 0; c < n; c++) {
                sumSquares += (double) in.get(t, c) * in.get(t, c);
            }
            double inverseRms = 1.0 / Math.sqrt(sumSquares / n + eps);
            for (int c = 0; c < n; c++) {
                o.set(t, c, (float) (gamma[c] * (in.get(t, c) * inverseRms)));
            }
        }
    }

    @Override
    public void rmsNormHeads(Tensor x, int heads, float[] gamma, float eps) {
        HostTensor in = host(x);
        int width = in.cols() / heads;
        for (int t = 0; t < in.rows(); t++) {
            for (int h = 0; h < heads; h++) {
                double sumSquares = 0;
                for (int c = 0; c < width; c++) {
                    double v = in.get(t, h * width + c);
                    sumSquares += v * v;
                }
                double inverseRms = 1.0 / Math.sqrt(sumSquares / width + eps);
                for (int c = 0; c < width; c++) {
                    in.set(t, h * width + c, (float) (gamma[c] * (in.get(t, h * width + c) * inverseRms)));
                }
            }
        }
    }

    @Override
    public void addRmsNorm(Tensor residual, Tensor delta, Tensor out, float[] gamma, float eps) {
        add(residual, delta);
        rmsNorm(out, residual, gamma, eps);
    }

    @Override
    public void add(Tensor residual, Tensor delta) {
        HostTensor r = host(residual);
        HostTensor d = host(delta);
        for (int t = 0; t < r.rows(); t++) {
            for (int c = 0; c < r.cols(); c++) {
                r.set(t, c, r.get(t, c) + d.get(t, c));
            }
        }
    }

    @Override
    public void linear(Tensor out, Tensor x, Linear layer) {
        HostTensor o = host(out);
        HostTensor in = host(x);
        WeightMatrix w = matrix(layer.weight());
        for (int t = 0; t < in.rows(); t++) {
            for (int n = 0; n < w.rows(); n++) {
                double sum = layer.bias() == null ? 0 : layer.bias()[n];
                for (int k = 0; k < w.cols(); k++) {
                    sum += (double) in.get(t, k) * w.get(n, k);
                }
                o.set(t, n, (float) sum);
            }
        }
    }

    @Override
    public void siluMul(Tensor gate, Tensor up) {
        HostTensor g = host(gate);
        HostTensor u = host(up);
        for (int t = 0; t < g.rows(); t++) {
            for (int c = 0; c < g.cols(); c++) {
                double v = g.get(t, c);
                g.set(t, c, (float) (v / (1 + Math.exp(-v)) * u.get(t, c)));
            }
        }
    }

    @Override
    public void rope(Tensor x, int heads, int headWidth, int ropeOffset, Batch batch, Rotary rotary) {
        HostTensor h = host(x);
        float[] scratch = new float[rotary.dim()];
        for (int t = 0; t < h.rows(); t++) {
            for (int head = 0; head < heads; head++) {
                rotary.rotate(h.data(), t * h.cols() + head * headWidth + ropeOffset, batch.cos(), batch.sin(), t, scratch);
            }
        }
    }

    @Override
    public void mlaAbsorbQuery(Tensor qLatent, Tensor q, Weight kvB, MlaDims d) {
        HostTensor out = host(qLatent);
        HostTensor in = host(q);
        WeightMatrix w = matrix(kvB);
        for (int t = 0; t < in.rows(); t++) {
            for (int h = 0; h < d.heads(); h++) {
                for (int c = 0; c < d.latent(); c++) {
                    double sum = 0;
                    for (int i = 0; i < d.nope(); i++) {
                        sum += (double) in.get(t, h * d.queryHead() + i) * w.get(h * d.kvBRowsPerHead() + i, c);
                    }
                    out.set(t, h * d.latent() + c, (float) sum);
                }
            }
        }
    }

    @Override
    public void storeKv(KvCache cache, int layer, Tensor first, Tensor second, Batch batch) {
        HostKvCache kv = (HostKvCache) cache;
        // an entry is [first | second]: MLA's latent and rope key, or grouped-query attention's keys and values
        HostTensor firstRows = host(first);
        HostTensor secondRows = host(second);
        for (int t = 0; t < firstRows.rows(); t++) {
            int position = batch.positions()[t];
            int[] pages = batch.pageTable(batch.sequenceOf(t));
            float[] page = kv.pageForWrite(pages[position / kv.pageSize()]);
            int at = kv.offset(layer, position % kv.pageSize());
            for (int c = 0; c < firstRows.cols(); c++) {
                page[at + c] = firstRows.get(t, c);
            }
            for (int c = 0; c < secondRows.cols(); c++) {
                page[at + firstRows.cols() + c] = secondRows.get(t, c);
            }
        }
    }

    @Override
    public void mlaAttend(Tensor outLatent, Tensor qLatent, Tensor q, KvCache cache, int layer, Batch batch,
            MlaDims d, float scale) {
        HostKvCache kv = (HostKvCache) cache;
        HostTensor out = host(outLatent);
        HostTensor ql = host(qLatent);
        HostTensor qf = host(q);
        for (int t = 0; t < ql.rows(); t++) {
            int length = batch.positions()[t] + 1;
            int[] pages = batch.pageTable(batch.sequenceOf(t));
            for (int h = 0; h < d.heads(); h++) {
                double[] scores = new double[length];
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p < length; p++) {
                    float[] page = kv.page(pages[p / kv.pageSize()]);
                    int at = kv.offset(layer, p % kv.pageSize());
                    double s = 0;
                    for (int c = 0; c < d.latent(); c++) {
                        s += (double) ql.get(t, h * d.latent() + c) * page[at + c];
                    }
                    for (int r = 0; r < d.rope(); r++) {
                        s += (double) qf.get(t, h * d.queryHead() + d.nope() + r) * page[at + d.latent() + r];
                    }
                    scores[p] = s * scale;
                    max = Math.max(max, scores[p]);
                }
                double total = exponentiate(scores, max);
                for (int c = 0; c < d.latent(); c++) {
                    double sum = 0;
                    for (int p = 0; p < length; p++) {
                        float[] page = kv.page(pages[p / kv.pageSize()]);
                        sum += scores[p] / total * page[kv.offset(layer, p % kv.pageSize()) + c];
                    }
                    out.set(t, h * d.latent() + c, (float) sum);
                }
            }
        }
    }

    @Override
    public void gqaAttend(Tensor out, Tensor q, KvCache cache, int layer, Batch batch, GqaDims d, float scale) {
        HostKvCache kv = (HostKvCache) cache;
        HostTensor o = host(out);
        HostTensor query = host(q);
        int hd = d.headDim();
        for (int t = 0; t < query.rows(); t++) {
            int length = batch.positions()[t] + 1;
            int[] pages = batch.pageTable(batch.sequenceOf(t));
            for (int h = 0; h < d.heads(); h++) {
                int g = h / d.groupSize();
                double[] scores = new double[length];
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p < length; p++) {
                    float[] page = kv.page(pages[p / kv.pageSize()]);
                    int key = kv.offset(layer, p % kv.pageSize()) + g * hd;
                    double s = 0;
                    for (int c = 0; c < hd; c++) {
                        s += (double) query.get(t, h * hd + c) * page[key + c];
                    }
                    scores[p] = s * scale;
                    max = Math.max(max, scores[p]);
                }
                double total = exponentiate(scores, max);
                for (int c = 0; c < hd; c++) {
                    double sum = 0;
                    for (int p = 0; p < length; p++) {
                        float[] page = kv.page(pages[p / kv.pageSize()]);
                        int value = kv.offset(layer, p % kv.pageSize()) + d.kvWidth() + g * hd;
                        sum += scores[p] / total * page[value + c];
                    }
                    o.set(t, h * hd + c, (float) sum);
                }
            }
        }
    }

    /** {@code scores[p] = exp(scores[p] - max)} in place; returns their sum, softmax's denominator. */
    private static double exponentiate(double[] scores, double max) {
        double total = 0;
        for (int p = 0; p < scores.length; p++) {
            scores[p] = Math.exp(scores[p] - max);
            total += scores[p];
        }
        return total;
    }

    @Override
    public void mlaProjectValues(Tensor out, Tensor outLatent, Weight kvB, MlaDims d) {
        HostTensor o = host(out);
        HostTensor in = host(outLatent);
        WeightMatrix w = matrix(kvB);
        for (int t = 0; t < in.rows(); t++) {
            for (int h = 0; h < d.heads(); h++) {
                for (int j = 0; j < d.value(); j++) {
                    double sum = 0;
                    for (int c = 0; c < d.latent(); c++) {
                        sum += (double) in.get(t, h * d.latent() + c) * w.get(h * d.kvBRowsPerHead() + d.nope() + j, c);
                    }
                    o.set(t, h * d.value() + j, (float) sum);
                }
            }
        }
    }

    @Override
    public void route(Routing given, Tensor logits, Router router) {
        HostRouting routing = HostRouting.of(given);
        HostTensor l = host(logits);
        routing.resize(l.rows());
        float[] scratch = new float[router.scratchSize()];
        for (int t = 0; t < l.rows(); t++) {
            router.select(l.data(), t * l.cols(), routing.experts(), routing.weights(), t * routing.expertsPerToken(), scratch);
        }
    }

    @Override
    public void moeExperts(Tensor out, Tensor x, Routing given, Mlp[] experts) {
        HostRouting routing = HostRouting.of(given);
        HostTensor o = host(out);
        HostTensor in = host(x);
        int k = routing.expertsPerToken();
        for (int t = 0; t < in.rows(); t++) {
            HostTensor token = HostTensor.of(1, in.cols(), in.row(t));
            double[] sum = new double[in.cols()];
            for (int j = 0; j < k; j++) {
                if (routing.experts()[t * k + j] < 0) {
                    continue; // routed to an expert on another shard
                }
                if (routing.experts()[t * k + j] >= experts.length) {
                    throw new IllegalArgumentException("routing slot " + (t * k + j) + " (token " + t + ") names expert "
                            + routing.experts()[t * k + j] + " of " + experts.length);
                }
                Mlp expert = experts[routing.experts()[t * k + j]];
                HostTensor y = mlp(token, expert);
                for (int c = 0; c < in.cols(); c++) {
                    sum[c] += (double) routing.weights()[t * k + j] * y.get(0, c);
                }
            }
            for (int c = 0; c < in.cols(); c++) {
                o.set(t, c, (float) sum[c]);
            }
        }
    }

    private HostTensor mlp(HostTensor x, Mlp m) {
        HostTensor gate = new HostTensor(x.rows(), m.width());
        HostTensor up = new HostTensor(x.rows(), m.width());
        HostTensor down = new HostTensor(x.rows(), m.down().out());
        linear(gate, x, m.gate());
        linear(up, x, m.up());
        siluMul(gate, up);
        linear(down, gate, m.down());
        return down;
    }

    @Override
    public void gatherRows(Tensor out, Tensor x, int[] rows) {
        HostTensor o = host(out);
        HostTensor in = host(x);
        for (int i = 0; i < o.rows(); i++) {
            for (int c = 0; c < o.cols(); c++) {
                o.set(i, c, in.get(rows[i], c));
            }
        }
    }

    @Override
    public void copyToHost(Tensor t, float[] destination) {
        HostTensor h = host(t);
        System.arraycopy(h.data(), 0, destination, 0, h.rows() * h.cols());
    }

    @Override
    public void copyFromHost(float[] source, Tensor t) {
        HostTensor h = host(t);
        System.arraycopy(source, 0, h.data(), 0, h.rows() * h.cols());
    }

    @Override
    public void close() {}
}
