package org.moebatch.backend;

import org.moebatch.tensor.HostTensor;
import org.moebatch.tensor.MatMul;
import org.moebatch.tensor.Panel;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.VectorMath;
import org.moebatch.tensor.Weight;
import org.moebatch.tensor.WeightMatrix;

/**
 * The CPU backend: Java Vector API kernels over memory-mapped weights, parallel over output rows,
 * heads, tokens and experts on a {@link WorkerPool} it owns.
 *
 * <p>Each worker has a {@link Scratch} of its own (weight panels, attention and expert buffers); a
 * backend is driven by one engine thread, so the scratch of worker {@code w} is only ever touched by
 * the thread running as worker {@code w} in the current job.
 */
public final class CpuBackend implements HostRoutedBackend {
    /** Cached positions scored together before the running softmax is updated. */
    private static final int ATTENTION_BLOCK = 64;
    /** Tokens of one expert computed by one task: bounds per-worker buffers, balances prefill. */
    private static final int EXPERT_TOKEN_CHUNK = 32;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private HostTensor expertOutput = new HostTensor(0, 1);
    private ExpertGroups groups;
    private int[] expertTasks = new int[0];

    /** Per-worker buffers; grown on demand, never shared between workers. */
    private static final class Scratch {
        final Panel panel = new Panel();
        float[] routerScratch = new float[0];
        float[] rotation = new float[0];
        float[] scores = new float[0];
        float[] runningMax = new float[0];
        float[] runningSum = new float[0];
        float[] expertInput = new float[0];
        float[] expertGate = new float[0];
        float[] expertUp = new float[0];
        float[] expertDown = new float[0];

        static float[] grow(float[] a, int n) {
            return a.length >= n ? a : new float[Math.max(n, a.length + (a.length >> 1))];
        }
    }

    public CpuBackend(int threads) {
        this.pool = new WorkerPool(threads, "moe-cpu");
        this.scratch = new Scratch[threads];
        for (int i = 0; i < threads; i++) {
            scratch[i] = new Scratch();
        }
    }

    /** A backend with one thread per available processor. */
    public static CpuBackend withAllCores() {
        return new CpuBackend(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public String device() {
        return "cpu";
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
        int cols = o.cols();
        pool.forRange(o.rows(), 8, (worker, from, to) -> {
            Panel panel = scratch[worker].panel;
            for (int t = from; t < to; t++) {
                m.readRows(tokens[t], 1, panel);
                for (int c = 0; c < cols; c++) {
                    o.data()[t * cols + c] = panel.get(0, c);
                }
            }
        });
    }

    @Override
    public void rmsNorm(Tensor out, Tensor x, float[] gamma, float eps) {
        HostTensor o = host(out);
        HostTensor in = host(x);
        int n = in.cols();
        pool.forRange(in.rows(), 16, (worker, from, to) -> {
            for (int t = from; t < to; t++) {
                VectorMath.rmsNorm(in.data(), t * n, gamma, eps, o.data(), t * n, n);
            }
        });
    }

    @Override
    public void rmsNormHeads(Tensor x, int heads, float[] gamma, float eps) {
        HostTensor in = host(x);
        int n = in.cols();
        int width = n / heads;
        pool.forRange(in.rows(), 16, (worker, from, to) -> {
            for (int t = from; t < to; t++) {
                for (int h = 0; h < heads; h++) {
                    int at = t * n + h * width;
                    VectorMath.rmsNorm(in.data(), at, gamma, eps, in.data(), at, width);
                }
            }
        });
    }

    @Override
    public void addRmsNorm(Tensor residual, Tensor delta, Tensor out, float[] gamma, float eps) {
        HostTensor r = host(residual);
        HostTensor d = host(delta);
        HostTensor o = host(out);
        int n = r.cols();
        pool.forRange(r.rows(), 16, (worker, from, to) -> {
            for (int t = from; t < to; t++) {
                VectorMath.add(d.data(), t * n, r.data(), t * n, n);
                VectorMath.rmsNorm(r.data(), t * n, gamma, eps, o.data(), t * n, n);
            }
        });
    }

    @Override
    public void add(Tensor residual, Tensor delta) {
        HostTensor r = host(residual);
        HostTensor d = host(delta);
        VectorMath.add(d.data(), 0, r.data(), 0, r.rows() * r.cols());
    }

    @Override
    public void linear(Tensor out, Tensor x, Linear layer) {
        HostTensor o = host(out);
        HostTensor in = host(x);
        WeightMatrix w = matrix(layer.weight());
        int tokens = in.rows();
        int rows = w.rows();
        pool.forRange(rows, pool.grainFor(rows, MatMul.PANEL_ROWS), (worker, from, to) ->
                MatMul.multiply(in.data(), 0, in.cols(), tokens, w, from, to, o.data(), 0, o.cols(),
                        scratch[worker].panel));
        float[] bias = layer.bias();
        if (bias != null) {
            for (int t = 0; t < tokens; t++) {
                VectorMath.add(bias, 0, o.data(), t * o.cols(), rows);
            }
        }
    }

    @Override
    public void siluMul(Tensor gate, Tensor up) {
        HostTensor g = host(gate);
        HostTensor u = host(up);
        int n = g.cols();
        pool.forRange(g.rows(), 16, (worker, from, to) -> {
            for (int t = from; t < to; t++) { // row by row: an element's path (vector or tail) is its column's
                VectorMath.siluMul(g.data(), t * n, u.data(), t * n, n);
            }
        });
    }

    @Override
    public void rope(Tensor x, int heads, int headWidth, int ropeOffset, Batch batch, Rotary rotary) {
        HostTensor h = host(x);
        int cols = h.cols();
        pool.forRange(h.rows(), 16, (worker, from, to) -> {
            Scratch s = scratch[worker];
            s.rotation = Scratch.grow(s.rotation, rotary.dim());
            for (int t = from; t < to; t++) {
                for (int head = 0; head < heads; head++) {
                    rotary.rotate(h.data(), t * cols + head * headWidth + ropeOffset, batch.cos(), batch.sin(), t, s.rotation);
                }
            }
        });
    }

    @Override
    public void mlaAbsorbQuery(Tensor qLatent, Tensor q, Weight kvB, MlaDims d) {
        HostTensor out = host(qLatent);
        HostTensor in = host(q);
        WeightMatrix w = matrix(kvB);
        int tokens = in.rows();
        pool.forRange(d.heads(), 1, (worker, from, to) -> {
            Panel panel = scratch[worker].panel;
            for (int h = from; h < to; h++) {
                // W_UK[h]: the first nope rows of head h's block of kv_b_proj, [nope, latent].
                w.readRows(h * d.kvBRowsPerHead(), d.nope(), panel);
                MatMul.multiplyTransposed(panel, in.data(), h * d.queryHead(), in.cols(), tokens,
                        out.data(), h * d.latent(), out.cols());
            }
        });
    }

    @Override
    public void storeKv(KvCache cache, int layer, Tensor first, Tensor second, Batch batch) {
        HostKvCache kv = (HostKvCache) cache;
        // an entry is [first | second]: MLA's latent and rope key, or grouped-query attention's keys and values
        HostTensor firstRows = host(first);
        HostTensor secondRows = host(second);
        int firstWidth = firstRows.cols();
        int secondWidth = secondRows.cols();
        for (int t = 0; t < firstRows.rows(); t++) {
            int position = batch.positions()[t];
            float[] page = kv.pageForWrite(batch.pageTable(batch.sequenceOf(t))[position / kv.pageSize()]);
            int at = kv.offset(layer, position % kv.pageSize());
            System.arraycopy(firstRows.data(), t * firstWidth, page, at, firstWidth);
            System.arraycopy(secondRows.data(), t * secondWidth, page, at + firstWidth, secondWidth);
        }
    }

    @Override
    public void mlaAttend(Tensor outLatent, Tensor qLatent, Tensor q, KvCache cache, int layer, Batch batch,
            MlaDims d, float scale) {
        HostKvCache kv = (HostKvCache) cache;
        HostTensor out = host(outLatent);
        HostTensor ql = host(qLatent);
        HostTensor qf = host(q);
        int tokens = ql.rows();
        // Tasks are (token, group of heads): whole tokens when there are many, head groups when
        // a decode step has fewer tokens than workers.
        int headGroups = Math.max(1, Math.min(d.heads(), (2 * pool.threads() + tokens - 1) / tokens));
        int headsPerTask = (d.heads() + headGroups - 1) / headGroups;
        int tasks = tokens * headGroups;
        pool.forRange(tasks, 1, (worker, from, to) -> {
            Scratch s = scratch[worker];
            for (int task = from; task < to; task++) {
                int t = task / headGroups;
                int h0 = (task % headGroups) * headsPerTask;
                int h1 = Math.min(d.heads(), h0 + headsPerTask);
                if (h0 < h1) {
                    attendOne(s, kv, layer, batch, t, h0, h1, ql, qf, out, d, scale);
                }
            }
        });
    }

    /** Flash-decoding for one token and heads {@code [h0, h1)}: a running softmax over blocks of positions. */
    private static void attendOne(Scratch s, HostKvCache kv, int layer, Batch batch, int t, int h0, int h1,
            HostTensor ql, HostTensor qf, HostTensor out, MlaDims d, float scale) {
        int heads = h1 - h0;
        int latent = d.latent();
        int length = batch.positions()[t] + 1;
        int[] pages = batch.pageTable(batch.sequenceOf(t));
        float[] o = out.data();
        int qlRow = t * ql.cols();
        int qfRow = t * qf.cols();
        int outRow = t * out.cols();
        startSoftmax(s, heads, o, outRow + h0 * latent, latent);
        float[] scores = s.scores;
        for (int p0 = 0; p0 < length; p0 += ATTENTION_BLOCK) {
            int p1 = Math.min(length, p0 + ATTENTION_BLOCK);
            for (int p = p0; p < p1; p++) {
                float[] page = kv.page(pages[p / kv.pageSize()]);
                int at = kv.offset(layer, p % kv.pageSize());
                for (int h = 0; h < heads; h++) {
                    int head = h0 + h;
                    float dotLatent = VectorMath.dot(ql.data(), qlRow + head * latent, page, at, latent);
                    float dotRope = VectorMath.dot(qf.data(), qfRow + head * d.queryHead() + d.nope(), page, at + latent, d.rope());
                    scores[h * ATTENTION_BLOCK + p - p0] = (dotLatent + dotRope) * scale;
                }
            }
            softmaxBlock(s, heads, p1 - p0, o, outRow + h0 * latent, latent);
            for (int p = p0; p < p1; p++) {
                float[] page = kv.page(pages[p / kv.pageSize()]);
                int at = kv.offset(layer, p % kv.pageSize());
                for (int h = 0; h < heads; h++) {
                    VectorMath.axpy(scores[h * ATTENTION_BLOCK + p - p0], page, at, o, outRow + (h0 + h) * latent, latent);
                }
            }
        }
        finishSoftmax(s, heads, o, outRow + h0 * latent, latent);
    }

    /** Sizes the scratch for {@code heads} heads, empties their running softmax and zeroes their outputs. */
    private static void startSoftmax(Scratch s, int heads, float[] o, int outAt, int width) {
        s.scores = Scratch.grow(s.scores, heads * ATTENTION_BLOCK);
        s.runningMax = Scratch.grow(s.runningMax, heads);
        s.runningSum = Scratch.grow(s.runningSum, heads);
        java.util.Arrays.fill(s.runningMax, 0, heads, Float.NEGATIVE_INFINITY);
        java.util.Arrays.fill(s.runningSum, 0, heads, 0f);
        java.util.Arrays.fill(o, outAt, outAt + heads * width, 0f);
    }

    /** Divides each head's accumulated output by its softmax denominator. */
    private static void finishSoftmax(Scratch s, int heads, float[] o, int outAt, int width) {
        for (int h = 0; h < heads; h++) {
            VectorMath.scale(1f / s.runningSum[h], o, outAt + h * width, width);
        }
    }

    /**
     * Folds one block of raw scores ({@code s.scores[h * ATTENTION_BLOCK + p]}, {@code p < length}) into the
     * running softmax of {@code heads} heads: each head's output (at {@code outAt + h * width}) is rescaled
     * to the new running max, and its scores become the weights of the block's values.
     */
    private static void softmaxBlock(Scratch s, int heads, int length, float[] o, int outAt, int width) {
        float[] scores = s.scores;
        for (int h = 0; h < heads; h++) {
            int row = h * ATTENTION_BLOCK;
            float blockMax = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < length; p++) {
                blockMax = Math.max(blockMax, scores[row + p]);
            }
            float newMax = Math.max(s.runningMax[h], blockMax);
            float correction = (float) Math.exp(s.runningMax[h] - newMax);
            s.runningMax[h] = newMax;
            s.runningSum[h] *= correction;
            VectorMath.scale(correction, o, outAt + h * width, width);
            for (int p = 0; p < length; p++) {
                float e = (float) Math.exp(scores[row + p] - newMax);
                scores[row + p] = e;
                s.runningSum[h] += e;
            }
        }
    }

    @Override
    public void gqaAttend(Tensor out, Tensor q, KvCache cache, int layer, Batch batch, GqaDims d, float scale) {
        HostKvCache kv = (HostKvCache) cache;
        HostTensor o = host(out);
        HostTensor query = host(q);
        int tokens = query.rows();
        // Tasks are (token, key/value head): the group's query heads share every key and value read.
        int tasks = tokens * d.kvHeads();
        pool.forRange(tasks, 1, (worker, from, to) -> {
            Scratch s = scratch[worker];
            for (int task = from; task < to; task++) {
                attendGroup(s, kv, layer, batch, task / d.kvHeads(), task % d.kvHeads(), query, o, d, scale);
            }
        });
    }

    /** Flash-decoding for one token and the query heads of key/value head {@code g}. */
    private static void attendGroup(Scratch s, HostKvCache kv, int layer, Batch batch, int t, int g, HostTensor q,
            HostTensor out, GqaDims d, float scale) {
        int heads = d.groupSize();
        int hd = d.headDim();
        int length = batch.positions()[t] + 1;
        int[] pages = batch.pageTable(batch.sequenceOf(t));
        float[] o = out.data();
        int firstHead = g * heads;
        int qAt = t * q.cols() + firstHead * hd;
        int outAt = t * out.cols() + firstHead * hd;
        int keyAt = g * hd;
        int valueAt = d.kvWidth() + g * hd;
        startSoftmax(s, heads, o, outAt, hd);
        float[] scores = s.scores;
        for (int p0 = 0; p0 < length; p0 += ATTENTION_BLOCK) {
            int p1 = Math.min(length, p0 + ATTENTION_BLOCK);
            for (int p = p0; p < p1; p++) {
                float[] page = kv.page(pages[p / kv.pageSize()]);
                int at = kv.offset(layer, p % kv.pageSize()) + keyAt;
                for (int h = 0; h < heads; h++) {
                    scores[h * ATTENTION_BLOCK + p - p0] = VectorMath.dot(q.data(), qAt + h * hd, page, at, hd) * scale;
                }
            }
            softmaxBlock(s, heads, p1 - p0, o, outAt, hd);
            for (int p = p0; p < p1; p++) {
                float[] page = kv.page(pages[p / kv.pageSize()]);
                int at = kv.offset(layer, p % kv.pageSize()) + valueAt;
                for (int h = 0; h < heads; h++) {
                    VectorMath.axpy(scores[h * ATTENTION_BLOCK + p - p0], page, at, o, outAt + h * hd, hd);
                }
            }
        }
        finishSoftmax(s, heads, o, outAt, hd);
    }

    @Override
    public void mlaProjectValues(Tensor out, Tensor outLatent, Weight kvB, MlaDims d) {
        HostTensor o = host(out);
        HostTensor in = host(outLatent);
        WeightMatrix w = matrix(kvB);
        int tokens = in.rows();
        pool.forRange(d.heads(), 1, (worker, from, to) -> {
            for (int h = from; h < to; h++) {
                int firstRow = h * d.kvBRowsPerHead() + d.nope();
                // multiply writes weight row n to column outOffset + n; shift so W_UV[h]'s rows land at h * value.
                MatMul.multiply(in.data(), h * d.latent(), in.cols(), tokens, w, firstRow, firstRow + d.value(),
                        o.data(), h * d.value() - firstRow, o.cols(), scratch[worker].panel);
            }
        });
    }

    @Override
    public void route(Routing given, Tensor logits, Router router) {
        HostRouting routing = HostRouting.of(given);
        HostTensor l = host(logits);
        routing.resize(l.rows());
        int k = routing.expertsPerToken();
        pool.forRange(l.rows(), 16, (worker, from, to) -> {
            Scratch s = scratch[worker];
            s.routerScratch = Scratch.grow(s.routerScratch, router.scratchSize());
            for (int t = from; t < to; t++) {
                router.select(l.data(), t * l.cols(), routing.experts(), routing.weights(), t * k, s.routerScratch);
            }
        });
    }

    @Override
    public void moeExperts(Tensor out, Tensor x, Routing given, Mlp[] experts) {
        HostRouting routing = HostRouting.of(given);
        HostTensor o = host(out);
        HostTensor in = host(x);
        int hidden = in.cols();
        int k = routing.expertsPerToken();
        int tokens = in.rows();
        if (groups == null || groups.experts() != experts.length) {
            groups = new ExpertGroups(experts.length);
        }
        groups.group(routing);
        // One task per (expert, chunk of its tokens), the busiest experts first so the tail is short.
        int taskCount = 0;
        for (int i = 0; i < groups.activeCount(); i++) {
            taskCount += (groups.count(groups.activeExperts()[i]) + EXPERT_TOKEN_CHUNK - 1) / EXPERT_TOKEN_CHUNK;
        }
        if (expertTasks.length < 2 * taskCount) {
            expertTasks = new int[2 * taskCount];
        }
        int n = 0;
        for (int i = 0; i < groups.activeCount(); i++) {
            int e = groups.activeExperts()[i];
            for (int c = 0; c < groups.count(e); c += EXPERT_TOKEN_CHUNK) {
                expertTasks[2 * n] = e;
                expertTasks[2 * n + 1] = c;
                n++;
            }
        }
        sortTasksByWork(taskCount);
        if (expertOutput.cols() != hidden) {
            expertOutput = new HostTensor(tokens * k, hidden);
        }
        expertOutput.resize(tokens * k);
        // expertOutput is [tokens * k, hidden]: row t * k + j holds expert j of token t's output.
        pool.forRange(taskCount, 1, (worker, from, to) -> {
            for (int task = from; task < to; task++) {
                runExpertChunk(scratch[worker], experts[expertTasks[2 * task]], expertTasks[2 * task],
                        expertTasks[2 * task + 1], in, k);
            }
        });
        // Weighted combine in slot order, so the sum does not depend on thread timing.
        float[] w = routing.weights();
        int[] chosen = routing.experts();
        float[] y = expertOutput.data();
        pool.forRange(tokens, 16, (worker, from, to) -> {
            for (int t = from; t < to; t++) {
                java.util.Arrays.fill(o.data(), t * hidden, (t + 1) * hidden, 0f);
                for (int j = 0; j < k; j++) {
                    if (chosen[t * k + j] >= 0) { // -1: the slot's expert lives on another shard
                        VectorMath.axpy(w[t * k + j], y, (t * k + j) * hidden, o.data(), t * hidden, hidden);
                    }
                }
            }
        });
    }

    private void sortTasksByWork(int taskCount) {
        // Insertion sort by chunk size, descending; stable so equal work keeps expert order.
        for (int i = 1; i < taskCount; i++) {
            int e = expertTasks[2 * i];
            int c = expertTasks[2 * i + 1];
            int work = Math.min(EXPERT_TOKEN_CHUNK, groups.count(e) - c);
            int j = i - 1;
            while (j >= 0 && Math.min(EXPERT_TOKEN_CHUNK, groups.count(expertTasks[2 * j]) - expertTasks[2 * j + 1]) < work) {
                expertTasks[2 * (j + 1)] = expertTasks[2 * j];
                expertTasks[2 * (j + 1) + 1] = expertTasks[2 * j + 1];
                j--;
            }
            expertTasks[2 * (j + 1)] = e;
            expertTasks[2 * (j + 1) + 1] = c;
        }
    }

    /** Gathers up to a chunk of an expert's tokens, runs its SwiGLU, scatters outputs to their slots. */
    private void runExpertChunk(Scratch s, Mlp expert, int e, int chunkStart, HostTensor in, int k) {
        int hidden = in.cols();
        int start = groups.start(e) + chunkStart;
        int count = Math.min(EXPERT_TOKEN_CHUNK, groups.count(e) - chunkStart);
        int width = expert.width();
        int[] slots = groups.slots();
        s.expertInput = Scratch.grow(s.expertInput, count * hidden);
        s.expertGate = Scratch.grow(s.expertGate, count * width);
        s.expertUp = Scratch.grow(s.expertUp, count * width);
        s.expertDown = Scratch.grow(s.expertDown, count * hidden);
        for (int i = 0; i < count; i++) {
            int token = slots[start + i] / k;
            System.arraycopy(in.data(), token * hidden, s.expertInput, i * hidden, hidden);
        }
        WeightMatrix gate = matrix(expert.gate().weight());
        WeightMatrix up = matrix(expert.up().weight());
        WeightMatrix down = matrix(expert.down().weight());
        MatMul.multiply(s.expertInput, 0, hidden, count, gate, 0, width, s.expertGate, 0, width, s.panel);
        MatMul.multiply(s.expertInput, 0, hidden, count, up, 0, width, s.expertUp, 0, width, s.panel);
        for (int i = 0; i < count; i++) {
            VectorMath.siluMul(s.expertGate, i * width, s.expertUp, i * width, width);
        }
        MatMul.multiply(s.expertGate, 0, width, count, down, 0, hidden, s.expertDown, 0, hidden, s.panel);
        float[] y = expertOutput.data();
        for (int i = 0; i < count; i++) {
            System.arraycopy(s.expertDown, i * hidden, y, slots[start + i] * hidden, hidden);
        }
    }

    @Override
    public void gatherRows(Tensor out, Tensor x, int[] rows) {
        HostTensor o = host(out);
        HostTensor in = host(x);
        int cols = in.cols();
        for (int i = 0; i < o.rows(); i++) {
            System.arraycopy(in.data(), rows[i] * cols, o.data(), i * cols, cols);
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
    public void close() {
        pool.close();
    }
}
