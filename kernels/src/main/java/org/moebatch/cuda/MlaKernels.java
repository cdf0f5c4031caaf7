package org.moebatch.cuda;

/** Launchers of mla.cu: query absorption and attention over the paged latent cache ({@link KvCacheKernels} writes it). */
public final class MlaKernels {
    static final int ABSORB_TOKENS = 8;
    static final int ABSORB_THREADS = 128;

    private final KernelModules modules;
    private final DevicePool pool;
    private final KernelPolicy policy;
    private DeviceBuffer partials; // split attention's per-split max, sum and accumulator

    public MlaKernels(KernelModules modules, DevicePool pool, KernelPolicy policy) {
        this.modules = modules;
        this.pool = pool;
        this.policy = policy;
    }

    public static Launch absorbGeometry(int tokens, int heads, int nope, int latent) {
        int tokenBlocks = Launch.ceilDiv(tokens, ABSORB_TOKENS);
        return new Launch(Launch.ceilDiv(latent, ABSORB_THREADS), heads, tokenBlocks, ABSORB_THREADS, 4 * ABSORB_TOKENS * nope);
    }

    /** {@code qLatent [tokens, heads * latent] = W_UK[h]^T q[t, h, :nope]} with {@code kvB} as stored. */
    public void absorb(DeviceBuffer qLatent, DeviceBuffer q, DeviceBuffer kvB, WeightType type, int tokens, MlaShape s) {
        modules.launch(KernelName.absorb(type), absorbGeometry(tokens, s.heads(), s.nope(), s.latent()),
                new KernelArgs().ptr(qLatent).ptr(q).ptr(kvB).i32(tokens).i32(s.heads()).i32(s.nope()).i32(s.rope())
                        .i32(s.value()).i32(s.latent()));
    }

    /**
     * Attention of the step's queries over the cache of layer {@code layer}; {@code out [tokens, heads
     * * latent]}. Splits long contexts when the grid would not fill the device; returns the splits used.
     */
    public int attend(DeviceBuffer out, DeviceBuffer qLatent, DeviceBuffer q, DeviceBuffer cache, int layer,
            AttentionTables step, MlaShape s, CacheGeometry pages, float scale) {
        int blocks = step.tileCount() * AttentionPlan.headGroups(s.heads());
        int splits = AttentionPlan.splits(policy, blocks, step.longestContext(), modules.context().properties().multiprocessors());
        int splitLength = AttentionPlan.splitLength(step.longestContext(), splits);
        splits = Launch.ceilDiv(step.longestContext(), splitLength); // no split left without positions
        long rows = (long) step.tokens() * s.heads();
        long maxAt = 0;
        long sumAt = 4L * splits * rows;
        long accAt = 8L * splits * rows;
        if (splits > 1) {
            long bytes = accAt + 4L * splits * rows * s.latent();
            if (partials == null || partials.bytes() < bytes) {
                pool.release(partials);
                partials = pool.allocate(bytes, "split attention partials");
            }
        }
        long p = splits > 1 ? partials.address() : 0L;
        modules.launch(KernelName.MLA_ATTEND, AttentionPlan.attend(step.tileCount(), s.heads(), splits, s.latent(), s.rope()),
                new KernelArgs().ptr(out).ptr(splits > 1 ? p + maxAt : 0).ptr(splits > 1 ? p + sumAt : 0)
                        .ptr(splits > 1 ? p + accAt : 0).ptr(qLatent).ptr(q).ptr(cache).ptr(step.positions())
                        .ptr(step.sequenceOfToken()).ptr(step.pageTableStart()).ptr(step.pageTable()).ptr(step.tiles())
                        .i32(step.tokens()).i32(s.heads()).i32(s.nope()).i32(s.rope()).i32(s.latent()).i32(layer)
                        .i32(pages.layers()).i32(pages.pageSize()).i32(AttentionPlan.headsPerGroup(s.heads())).i32(splitLength)
                        .i32(splits).f32(scale));
        if (splits > 1) {
            modules.launch(KernelName.MLA_ATTEND_COMBINE, AttentionPlan.combine(step.tokens(), s.heads()),
                    new KernelArgs().ptr(out).ptr(p + maxAt).ptr(p + sumAt).ptr(p + accAt).i32(step.tokens())
                            .i32(s.heads()).i32(s.latent()).i32(splits));
        }
        return splits;
    }

    /** Returns scratch memory to the pool. */
    public void release() {
        pool.release(partials);
        partials = null;
    }
}
