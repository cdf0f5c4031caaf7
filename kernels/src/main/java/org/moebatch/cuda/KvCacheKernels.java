package org.moebatch.cuda;

/** Launchers of kv_cache.cu: writes into the paged KV cache, the same for every attention family. */
public final class KvCacheKernels {
    static final int STORE_THREADS = 128;

    private final KernelModules modules;

    public KvCacheKernels(KernelModules modules) {
        this.modules = modules;
    }

    /**
     * Writes each token's cache entry {@code [first[t] | second[t]]} to its slot: MLA's latent and rope
     * key, or grouped-query attention's keys and values; the kernel only needs the two widths.
     */
    public void store(DeviceBuffer cache, DeviceBuffer first, DeviceBuffer second, AttentionTables step, int layer,
            int firstWidth, int secondWidth, CacheGeometry pages) {
        modules.launch(KernelName.KV_STORE, Launch.of(step.tokens(), STORE_THREADS),
                new KernelArgs().ptr(cache).ptr(first).ptr(second).ptr(step.pageOfToken()).ptr(step.slotOfToken())
                        .i32(layer).i32(pages.layers()).i32(pages.pageSize()).i32(firstWidth).i32(secondWidth));
    }
}
