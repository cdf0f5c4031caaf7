package org.moebatch.backend.cuda;

import java.nio.FloatBuffer;
import java.util.OptionalLong;
import org.moebatch.backend.Backend;
import org.moebatch.backend.Batch;
import org.moebatch.backend.GqaDims;
import org.moebatch.backend.KvCache;
import org.moebatch.backend.KvLayout;
import org.moebatch.backend.Linear;
import org.moebatch.backend.MlaDims;
import org.moebatch.backend.Mlp;
import org.moebatch.backend.ExpertCounts;
import org.moebatch.backend.Router;
import org.moebatch.backend.Rotary;
import org.moebatch.backend.Routing;
import org.moebatch.cuda.AttentionTables;
import org.moebatch.cuda.CacheGeometry;
import org.moebatch.cuda.CudaContext;
import org.moebatch.cuda.KvCacheKernels;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.DevicePool;
import org.moebatch.cuda.ExpertTables;
import org.moebatch.cuda.GqaKernels;
import org.moebatch.cuda.HostStaging;
import org.moebatch.cuda.KernelModules;
import org.moebatch.cuda.KernelPolicy;
import org.moebatch.cuda.LinearKernels;
import org.moebatch.cuda.MlaKernels;
import org.moebatch.cuda.MlaShape;
import org.moebatch.cuda.MoeKernels;
import org.moebatch.cuda.ExpertHistogram;
import org.moebatch.cuda.MoePlan;
import org.moebatch.cuda.RopeKernel;
import org.moebatch.cuda.RouterKernel;
import org.moebatch.cuda.RowKernels;
import org.moebatch.cuda.WeightArena;
import org.moebatch.tensor.HostTensor;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.Weight;
import org.moebatch.tensor.WeightMatrix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Backend seam on an NVIDIA GPU: weights uploaded once and resident, activations and the latent
 * cache in device memory, every operation a kernel of {@code kernels/} queued on one stream. The
 * engine's scheduler, paging and batching are the same as on the CPU.
 *
 * <p>What crosses to the host during a step: the step's token ids and tables go up (queued from
 * pinned memory, no wait); the routing stays on the device, where the router kernel writes it, the
 * MoE kernels read it (their tile counts are device-side too) and count_experts adds it to the
 * step's expert histogram. So a decode step waits for the device twice, however many MoE layers the
 * model has: once for the expert histogram ({@link #drainExpertCounts}, at the end of the forward
 * pass: the engine's expert-load statistics) and once for the logits ({@link #copyToHost}: sampling
 * stays on the host, in the engine's Sampler); the second finds the stream already idle. Handing
 * each layer's routing to the host instead would wait once per MoE layer (60 times in a Kimi K2
 * step). Expert parallelism adds waits per MoE layer of its own: its dispatch goes through the host.
 *
 * <p>Driven by one thread at a time, like every backend; each entry point makes the device's
 * context current on the calling thread.
 */
public final class CudaBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);
    private static final int NAN = 0x7fc00000;

    private final CudaContext context;
    private final KernelModules modules;
    private final KernelPolicy policy;
    private final DevicePool pool;
    private final WeightArena arena;
    private final HostStaging staging;
    private final WeightUploader uploader;
    private final HostVectors vectors;
    private final ExpertRegistry experts;
    private final StepTables stepTables;
    private final RopeTables ropeTables;
    private final RouterKernel router;
    private final Reclaimer reclaimer = new Reclaimer();
    private final RowKernels rows;
    private final RopeKernel rope;
    private final LinearKernels linear;
    private final MlaKernels mla;
    private final KvCacheKernels kvCache;
    private final GqaKernels gqa;
    private final MoeKernels moe;
    private DeviceBuffer tokenIds;
    private DeviceBuffer gatherIds;
    private final DeviceBuffer[] moeScratch = new DeviceBuffer[5];
    private boolean closed;

    private CudaBackend(CudaContext context, KernelModules modules, KernelPolicy policy) {
        this.context = context;
        this.modules = modules;
        this.policy = policy;
        this.pool = new DevicePool(context, () -> {
            // Out of device memory: collected workspaces and caches may be holding some.
            System.gc();
            reclaimer.drain(pool());
        });
        this.arena = new WeightArena(context);
        this.staging = new HostStaging(context);
        this.uploader = new WeightUploader(arena, staging);
        this.vectors = new HostVectors(arena, staging);
        this.experts = new ExpertRegistry(arena, staging);
        this.stepTables = new StepTables(pool, staging);
        this.ropeTables = new RopeTables(pool, staging);
        this.router = new RouterKernel(modules);
        this.rows = new RowKernels(modules);
        this.rope = new RopeKernel(modules);
        this.linear = new LinearKernels(modules, policy);
        this.mla = new MlaKernels(modules, pool, policy);
        this.kvCache = new KvCacheKernels(modules);
        this.gqa = new GqaKernels(modules);
        this.moe = new MoeKernels(modules);
    }

    /**
     * Opens {@code cuda:ordinal}. Throws {@link org.moebatch.cuda.CudaUnavailableException} with one
     * line, "no CUDA device: ..." or "kernels not built: ...", where it cannot.
     */
    public static CudaBackend open(int ordinal, KernelPolicy policy) {
        CudaContext context = CudaContext.open(ordinal);
        try {
            KernelModules modules = KernelModules.load(context);
            LOG.info("CUDA backend on {}", context);
            return new CudaBackend(context, modules, policy);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    public static CudaBackend open(int ordinal) {
        return open(ordinal, KernelPolicy.defaults());
    }

    /** The ordinal of a {@code --device} value: "cuda" is cuda:0, "cuda:N" is N. */
    public static int ordinal(String device) {
        if (device.equals("cuda")) {
            return 0;
        }
        if (device.startsWith("cuda:")) {
            try {
                int n = Integer.parseInt(device.substring(5));
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException("device \"" + device + "\" is not cuda or cuda:N");
    }

    @Override
    public String device() {
        return "cuda:" + context.ordinal();
    }

    public CudaContext context() {
        return context;
    }

    /** Bytes of weights resident on the device. */
    public long weightBytes() {
        return arena.usedBytes();
    }

    private DevicePool pool() {
        return pool;
    }

    @Override
    public Tensor tensor(int rowCount, int cols) {
        context.bind();
        reclaimer.drain(pool);
        return new DeviceTensor(pool, reclaimer, rowCount, cols);
    }

    @Override
    public Weight weight(WeightMatrix matrix) {
        context.bind();
        return uploader.upload(matrix);
    }

    @Override
    public KvCache kvCache(int layers, int pageSize, KvLayout layout, int pages) {
        context.bind();
        reclaimer.drain(pool);
        pool.trim(); // an earlier engine's pages, cached in the pool, count as free for the plan below
        CacheGeometry geometry = new CacheGeometry(layers, pageSize);
        long pageBytes = geometry.pageBytes(layout.entryFloats());
        long[] memory = context.memoryInfo();
        new DeviceMemoryPlan(memory[0], memory[1], arena.usedBytes(), pageBytes).check(pages, device());
        DeviceBuffer storage = pool.allocate(pageBytes * pages, "KV cache of " + pages + " pages");
        LOG.info("{}: {} MiB of weights, KV cache of {} pages ({} MiB)", device(), arena.usedBytes() >> 20, pages,
                pageBytes * pages >> 20);
        return new DeviceKvCache(geometry, layout, pages, storage, reclaimer);
    }

    @Override
    public void embed(Tensor out, int[] tokens, Weight table) {
        context.bind();
        DeviceTensor o = device(out);
        DeviceWeight w = ExpertRegistry.device(table);
        int n = o.rows();
        if (n == 0) {
            return;
        }
        requireCols(o, w.cols(), "embed");
        for (int t = 0; t < n; t++) {
            if (tokens[t] < 0 || tokens[t] >= w.rows()) {
                throw new IllegalArgumentException("token id " + tokens[t] + " at row " + t + " is outside " + w);
            }
        }
        tokenIds = ints(tokenIds, n, "token ids");
        staging.upload(tokens, n, tokenIds, "token ids");
        rows.embed(o.buffer(), tokenIds, w.buffer(), w.type(), n, o.cols());
    }

    @Override
    public void rmsNorm(Tensor out, Tensor x, float[] gamma, float eps) {
        context.bind();
        DeviceTensor o = device(out);
        DeviceTensor in = device(x);
        sameShape(o, in, "rmsNorm");
        requireLength(gamma, in.cols(), "rmsNorm gamma");
        if (in.rows() > 0) {
            rows.rmsNorm(o.buffer(), in.buffer(), vectors.of(gamma, "norm weight"), eps, in.rows(), in.cols());
        }
    }

    @Override
    public void rmsNormHeads(Tensor x, int heads, float[] gamma, float eps) {
        context.bind();
        DeviceTensor in = device(x);
        if (heads <= 0 || in.cols() % heads != 0) {
            throw new IllegalArgumentException("rmsNormHeads: " + heads + " heads do not divide rows of " + in.cols());
        }
        if (in.rows() > 0) {
            // [tokens, heads * width] row-major is [tokens * heads, width]: one norm row per head.
            int width = in.cols() / heads;
            requireLength(gamma, width, "rmsNormHeads gamma");
            rows.rmsNorm(in.buffer(), in.buffer(), vectors.of(gamma, "head norm weight"), eps, in.rows() * heads, width);
        }
    }

    @Override
    public void addRmsNorm(Tensor residual, Tensor delta, Tensor out, float[] gamma, float eps) {
        context.bind();
        DeviceTensor r = device(residual);
        DeviceTensor d = device(delta);
        DeviceTensor o = device(out);
        sameShape(r, d, "addRmsNorm");
        sameShape(r, o, "addRmsNorm");
        requireLength(gamma, r.cols(), "addRmsNorm gamma");
        if (r.rows() > 0) {
            rows.addRmsNorm(r.buffer(), d.buffer(), o.buffer(), vectors.of(gamma, "norm weight"), eps, r.rows(), r.cols());
        }
    }

    @Override
    public void add(Tensor residual, Tensor delta) {
        context.bind();
        DeviceTensor r = device(residual);
        DeviceTensor d = device(delta);
        sameShape(r, d, "add");
        if (r.size() > 0) {
            rows.add(r.buffer(), d.buffer(), r.size());
        }
    }

    @Override
    public void linear(Tensor out, Tensor x, Linear layer) {
        context.bind();
        DeviceTensor o = device(out);
        DeviceTensor in = device(x);
        DeviceWeight w = ExpertRegistry.device(layer.weight());
        requireCols(in, w.cols(), "linear " + w.name() + " input");
        requireCols(o, w.rows(), "linear " + w.name() + " output");
        sameRows(o, in, "linear " + w.name());
        if (in.rows() == 0) {
            return;
        }
        DeviceBuffer bias = null;
        if (layer.bias() != null) {
            requireLength(layer.bias(), w.rows(), w.name() + " bias");
            bias = vectors.of(layer.bias(), w.name() + " bias");
        }
        linear.linear(o.buffer(), in.buffer(), w.buffer(), w.type(), bias, in.rows(), w.rows(), w.cols());
    }

    @Override
    public void siluMul(Tensor gate, Tensor up) {
        context.bind();
        DeviceTensor g = device(gate);
        DeviceTensor u = device(up);
        sameShape(g, u, "siluMul");
        if (g.size() > 0) {
            rows.siluMul(g.buffer(), u.buffer(), g.size());
        }
    }

    @Override
    public void rope(Tensor x, int heads, int headWidth, int ropeOffset, Batch batch, Rotary rotary) {
        context.bind();
        DeviceTensor t = device(x);
        if (ropeOffset + rotary.dim() > headWidth || (long) heads * headWidth > t.cols()) {
            throw new IllegalArgumentException("rope of " + rotary.dim() + " at " + ropeOffset + " in " + heads
                    + " heads of " + headWidth + " does not fit " + t);
        }
        if (t.rows() == 0) {
            return;
        }
        DeviceBuffer[] tables = ropeTables.of(batch, t.rows(), rotary);
        rope.rotate(t.buffer(), tables[0], tables[1], t.rows(), t.cols(), heads, headWidth, ropeOffset, rotary.dim(),
                rotary.interleaved());
    }

    @Override
    public void mlaAbsorbQuery(Tensor qLatent, Tensor q, Weight kvB, MlaDims dims) {
        context.bind();
        DeviceTensor out = device(qLatent);
        DeviceTensor in = device(q);
        DeviceWeight w = ExpertRegistry.device(kvB);
        requireCols(in, dims.heads() * dims.queryHead(), "mlaAbsorbQuery q");
        requireCols(out, dims.heads() * dims.latent(), "mlaAbsorbQuery qLatent");
        requireKvB(w, dims);
        sameRows(out, in, "mlaAbsorbQuery");
        if (in.rows() > 0) {
            mla.absorb(out.buffer(), in.buffer(), w.buffer(), w.type(), in.rows(), DeviceKvCache.shapeOf(dims));
        }
    }

    @Override
    public void storeKv(KvCache cache, int layer, Tensor first, Tensor second, Batch batch) {
        context.bind();
        DeviceKvCache kv = cache(cache);
        DeviceTensor a = device(first);
        DeviceTensor b = device(second);
        if (a.cols() + b.cols() != kv.layout().entryFloats()) {
            throw new IllegalArgumentException("storeKv: rows of " + a.cols() + " + " + b.cols()
                    + " floats for cache entries of " + kv.layout().entryFloats());
        }
        sameRows(a, b, "storeKv");
        requireLayer(layer, kv);
        if (a.rows() == 0) {
            return;
        }
        AttentionTables step = stepTables.of(batch, a.rows(), kv);
        kvCache.store(kv.pages(), a.buffer(), b.buffer(), step, layer, a.cols(), b.cols(), kv.geometry());
    }

    @Override
    public void gqaAttend(Tensor out, Tensor q, KvCache cache, int layer, Batch batch, GqaDims dims, float scale) {
        context.bind();
        DeviceKvCache kv = cache(cache);
        DeviceTensor o = device(out);
        DeviceTensor query = device(q);
        if (dims.cacheEntry() != kv.layout().entryFloats()) {
            throw new IllegalArgumentException("attention of " + dims + " over cache entries of "
                    + kv.layout().entryFloats() + " floats");
        }
        requireCols(query, dims.heads() * dims.headDim(), "gqaAttend q");
        requireCols(o, dims.heads() * dims.headDim(), "gqaAttend output");
        sameRows(o, query, "gqaAttend");
        requireLayer(layer, kv);
        if (query.rows() == 0) {
            return;
        }
        AttentionTables step = stepTables.of(batch, query.rows(), kv);
        gqa.attend(o.buffer(), query.buffer(), kv.pages(), layer, step, dims.heads(), dims.kvHeads(), dims.headDim(),
                kv.geometry(), scale);
    }

    @Override
    public void mlaAttend(Tensor outLatent, Tensor qLatent, Tensor q, KvCache cache, int layer, Batch batch, MlaDims dims,
            float scale) {
        context.bind();
        DeviceKvCache kv = cache(cache);
        DeviceTensor out = device(outLatent);
        DeviceTensor ql = device(qLatent);
        DeviceTensor qf = device(q);
        MlaShape s = DeviceKvCache.shapeOf(dims);
        if (s.entry() != kv.layout().entryFloats()) {
            throw new IllegalArgumentException("attention of " + dims + " over cache entries of "
                    + kv.layout().entryFloats() + " floats");
        }
        requireCols(ql, dims.heads() * dims.latent(), "mlaAttend qLatent");
        requireCols(out, dims.heads() * dims.latent(), "mlaAttend output");
        requireCols(qf, dims.heads() * dims.queryHead(), "mlaAttend q");
        sameRows(out, ql, "mlaAttend");
        sameRows(qf, ql, "mlaAttend");
        requireLayer(layer, kv);
        if (ql.rows() == 0) {
            return;
        }
        AttentionTables step = stepTables.of(batch, ql.rows(), kv);
        mla.attend(out.buffer(), ql.buffer(), qf.buffer(), kv.pages(), layer, step, s, kv.geometry(), scale);
    }

    @Override
    public void mlaProjectValues(Tensor out, Tensor outLatent, Weight kvB, MlaDims d) {
        context.bind();
        DeviceTensor o = device(out);
        DeviceTensor in = device(outLatent);
        DeviceWeight w = ExpertRegistry.device(kvB);
        requireCols(in, d.heads() * d.latent(), "mlaProjectValues input");
        requireCols(o, d.heads() * d.value(), "mlaProjectValues output");
        requireKvB(w, d);
        sameRows(o, in, "mlaProjectValues");
        if (in.rows() == 0) {
            return;
        }
        // One product per head: out[:, h] = outLatent[:, h] W_UV[h]^T, W_UV[h] the value rows of head h's kv_b block.
        linear.rows(o.buffer(), in.buffer(), w.buffer(), w.type(), null, in.rows(), d.value(), d.latent(), in.cols(),
                o.cols(), d.heads(), d.latent(), d.nope(), d.kvBRowsPerHead(), d.value());
    }

    @Override
    public Routing routing(int expertsPerToken) {
        context.bind();
        reclaimer.drain(pool);
        return new DeviceRouting(pool, reclaimer, expertsPerToken);
    }

    @Override
    public void route(Routing routing, Tensor logits, Router gate) {
        context.bind();
        DeviceRouting r = deviceRouting(routing);
        DeviceTensor l = device(logits);
        int k = r.expertsPerToken();
        if (gate.expertsPerToken() != k || gate.experts() != l.cols()) {
            throw new IllegalArgumentException("router of " + gate.experts() + " experts top-" + gate.expertsPerToken()
                    + " for logits " + l + " and routing top-" + k);
        }
        r.resize(l.rows(), gate.experts());
        if (r.slots() == 0) {
            return;
        }
        float[] bias = gate.correctionBias();
        // A token with no eligible expert gets -1 here; count_experts tallies it and the step's
        // drainExpertCounts reports it, without a wait per layer.
        router.route(l.buffer(), bias == null ? null : vectors.of(bias, "correction bias"), l.rows(), gate.experts(), k,
                gate.groups(), gate.groupsKept(), gate.sigmoid(), gate.normalize(), gate.scalingFactor(), r.chosen(),
                r.weights());
    }

    @Override
    public void copyRoutingToHost(Routing routing, int[] chosen, float[] weights) {
        context.bind();
        DeviceRouting r = deviceRouting(routing);
        int n = r.slots();
        if (chosen.length < n || weights.length < n) {
            throw new IllegalArgumentException(r + " into arrays of " + chosen.length + " and " + weights.length);
        }
        if (n == 0) {
            return;
        }
        staging.download(r.chosen(), 0, 4L * n, "routing experts").asIntBuffer().get(chosen, 0, n);
        staging.download(r.weights(), 0, 4L * n, "routing weights").asFloatBuffer().get(weights, 0, n);
    }

    @Override
    public void copyRoutingFromHost(int[] chosen, float[] weights, int tokens, Routing routing) {
        context.bind();
        DeviceRouting r = deviceRouting(routing);
        Routing.checkHostValues(chosen, weights, tokens, r.expertsPerToken());
        int n = tokens * r.expertsPerToken();
        int bound = 0;
        for (int i = 0; i < n; i++) {
            bound = Math.max(bound, chosen[i] + 1);
        }
        r.resize(tokens, bound);
        if (n > 0) {
            staging.upload(chosen, n, r.chosen(), "routing experts");
            staging.upload(weights, n, r.weights(), "routing weights");
        }
    }

    @Override
    public ExpertCounts expertCounts(int layers, int expertCount) {
        context.bind();
        reclaimer.drain(pool);
        long ints = ExpertHistogram.ints(layers, expertCount);
        DeviceBuffer histogram = pool.allocate(4L * Math.max(1, ints), "expert histogram [" + layers + ", " + expertCount + "]");
        if (ints > 0) {
            context.fill32(histogram, 0, ints);
        }
        return new DeviceExpertCounts(layers, expertCount, histogram, reclaimer);
    }

    @Override
    public void countExperts(ExpertCounts counts, int layer, Routing routing) {
        context.bind();
        DeviceExpertCounts c = counts(counts);
        DeviceRouting r = deviceRouting(routing);
        router.countExperts(r.chosen(), r.slots(), c.experts(),
                ExpertHistogram.row(c.histogram(), layer, c.layers(), c.experts()));
    }

    @Override
    public void drainExpertCounts(ExpertCounts counts, long[][] into) {
        context.bind();
        DeviceExpertCounts c = counts(counts);
        ExpertCounts.checkInto(into, c.layers(), c.experts());
        int n = c.ints();
        if (n == 0) {
            return;
        }
        int[] host = c.hostCopy();
        // The one wait of the step's expert load: everything queued so far runs first.
        staging.download(c.histogram(), 0, 4L * n, "expert histogram").asIntBuffer().get(host, 0, n);
        context.fill32(c.histogram(), 0, n); // in stream order: the next step counts from zero
        ExpertCounts.failIfUnrouted(ExpertHistogram.read(host, c.layers(), c.experts(), into));
    }

    @Override
    public void moeExperts(Tensor out, Tensor x, Routing routing, Mlp[] mlps) {
        context.bind();
        DeviceTensor o = device(out);
        DeviceTensor in = device(x);
        DeviceRouting r = deviceRouting(routing);
        sameShape(o, in, "moeExperts");
        if (r.tokens() != in.rows()) {
            throw new IllegalArgumentException(r + " for " + in);
        }
        if (in.rows() == 0) {
            return;
        }
        ExpertTables tables = experts.of(mlps);
        int hidden = in.cols();
        int width = mlps[0].width();
        requireCols(in, mlps[0].gate().weight().cols(), "moeExperts input");
        if (r.expertBound() > tables.count()) {
            throw new IllegalArgumentException(r + " names experts up to " + (r.expertBound() - 1) + " for a block of "
                    + tables.count());
        }
        int k = r.expertsPerToken();
        MoePlan plan = MoePlan.of(policy, tables.type(), in.rows(), k, tables.count(), hidden, width);
        long[] bytes = MoeKernels.scratchBytes(plan, hidden, width);
        String[] names = {"expert slots", "tile experts", "tile count", "expert activations", "expert outputs"};
        for (int i = 0; i < bytes.length; i++) {
            if (moeScratch[i] == null || moeScratch[i].bytes() < bytes[i]) {
                pool.release(moeScratch[i]);
                moeScratch[i] = pool.allocate(bytes[i], names[i]);
            }
        }
        moe.run(plan, o.buffer(), in.buffer(), r.chosen(), r.weights(), tables, in.rows(), k, hidden, width,
                new MoeKernels.Scratch(moeScratch[0], moeScratch[1], moeScratch[2], moeScratch[3], moeScratch[4]));
    }

    @Override
    public void gatherRows(Tensor out, Tensor x, int[] rowIds) {
        context.bind();
        DeviceTensor o = device(out);
        DeviceTensor in = device(x);
        requireCols(o, in.cols(), "gatherRows");
        int n = o.rows();
        if (n == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            if (rowIds[i] < 0 || rowIds[i] >= in.rows()) {
                throw new IllegalArgumentException("gatherRows: row " + rowIds[i] + " of " + in);
            }
        }
        gatherIds = ints(gatherIds, n, "gathered row ids");
        staging.upload(rowIds, n, gatherIds, "gathered row ids");
        rows.gatherRows(o.buffer(), in.buffer(), gatherIds, n, o.cols());
    }

    @Override
    public void copyToHost(Tensor t, float[] destination) {
        context.bind();
        DeviceTensor d = device(t);
        int n = Math.toIntExact(d.size());
        if (n == 0) {
            return;
        }
        FloatBuffer values = staging.download(d.buffer(), 0, 4L * n, "tensor " + d).asFloatBuffer();
        values.get(destination, 0, n);
    }

    @Override
    public OptionalLong deviceFreeBytes() {
        context.bind();
        return OptionalLong.of(context.memoryInfo()[0]);
    }

    @Override
    public void synchronize() {
        context.bind();
        context.synchronize("an operation timed by the profiler");
    }

    @Override
    public void copyFromHost(float[] source, Tensor t) {
        context.bind();
        DeviceTensor d = device(t);
        int n = Math.toIntExact(d.size());
        if (source.length < n) {
            throw new IllegalArgumentException("copyFromHost: " + source.length + " values for " + d);
        }
        if (n > 0) {
            staging.upload(source, n, d.buffer(), "tensor " + d);
        }
    }

    /** A device tensor holding a copy of {@code host} (tests, tools). */
    public DeviceTensor copyOf(HostTensor host) {
        context.bind();
        reclaimer.drain(pool);
        DeviceTensor t = new DeviceTensor(pool, reclaimer, host.rows(), host.cols());
        copyFromHost(host.data(), t);
        return t;
    }

    /** The tensor's values on the host, {@code [rows, cols]} (tests, tools). */
    public HostTensor toHost(Tensor t) {
        HostTensor h = new HostTensor(t.rows(), t.cols());
        copyToHost(t, h.data());
        return h;
    }

    /** Fills the tensor with NaN, so that a test sees any value a kernel fails to write. */
    public void poison(Tensor t) {
        context.bind();
        DeviceTensor d = device(t);
        if (d.size() > 0) {
            context.fill32(d.buffer(), NAN, d.size());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.bind();
        try {
            context.synchronize("the last operation before closing");
        } finally {
            mla.release();
            stepTables.release();
            ropeTables.release();
            staging.close();
            pool.close();
            arena.close();
            modules.close();
            context.close();
        }
    }

    private DeviceBuffer ints(DeviceBuffer current, int n, String what) {
        if (current != null && current.bytes() >= 4L * n) {
            return current;
        }
        pool.release(current);
        return pool.allocate(4L * Math.max(n, 256), what);
    }

    private static DeviceTensor device(Tensor t) {
        if (t instanceof DeviceTensor d) {
            return d;
        }
        throw new IllegalArgumentException(t + " was not made by the CUDA backend (use its tensor())");
    }

    private static DeviceRouting deviceRouting(Routing r) {
        if (r instanceof DeviceRouting d) {
            return d;
        }
        throw new IllegalArgumentException("a " + r.getClass().getSimpleName()
                + " passed to the CUDA backend (use its routing())");
    }

    private static DeviceExpertCounts counts(ExpertCounts c) {
        if (c instanceof DeviceExpertCounts d) {
            return d;
        }
        throw new IllegalArgumentException("a " + c.getClass().getSimpleName()
                + " passed to the CUDA backend (use its expertCounts())");
    }

    private static DeviceKvCache cache(KvCache c) {
        if (c instanceof DeviceKvCache d) {
            return d;
        }
        throw new IllegalArgumentException("a " + c.getClass().getSimpleName() + " passed to the CUDA backend");
    }

    private static void sameShape(DeviceTensor a, DeviceTensor b, String op) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(op + ": " + a + " and " + b + " differ in shape");
        }
    }

    private static void sameRows(DeviceTensor a, DeviceTensor b, String op) {
        if (a.rows() != b.rows()) {
            throw new IllegalArgumentException(op + ": " + a + " and " + b + " differ in rows");
        }
    }

    private static void requireCols(DeviceTensor t, int cols, String what) {
        if (t.cols() != cols) {
            throw new IllegalArgumentException(what + ": " + t + " should have " + cols + " columns");
        }
    }

    private static void requireLength(float[] v, int n, String what) {
        if (v.length != n) {
            throw new IllegalArgumentException(what + " has " + v.length + " values, not " + n);
        }
    }

    private static void requireKvB(DeviceWeight w, MlaDims d) {
        if (w.rows() != d.heads() * d.kvBRowsPerHead() || w.cols() != d.latent()) {
            throw new IllegalArgumentException(w + " is not kv_b_proj for " + d);
        }
    }

    private static void requireLayer(int layer, DeviceKvCache kv) {
        if (layer < 0 || layer >= kv.geometry().layers()) {
            throw new IllegalArgumentException("layer " + layer + " of a cache of " + kv.geometry().layers());
        }
    }
}
