package org.moebatch.cuda;

/** Launcher of gqa.cu: grouped-query attention over the paged cache. */
public final class GqaKernels {
    private final KernelModules modules;

    public GqaKernels(KernelModules modules) {
        this.modules = modules;
    }

    /**
     * {@code out [tokens, heads * headDim]} from {@code q [tokens, heads * headDim]} and the keys and
     * values of layer {@code layer} cached for each token's sequence up to its position.
     */
    public void attend(DeviceBuffer out, DeviceBuffer q, DeviceBuffer cache, int layer, AttentionTables step, int heads,
            int kvHeads, int headDim, CacheGeometry pages, float scale) {
        modules.launch(KernelName.GQA_ATTEND, GqaPlan.attend(step.tokens(), heads, kvHeads, headDim),
                new KernelArgs().ptr(out).ptr(q).ptr(cache).ptr(step.positions()).ptr(step.sequenceOfToken())
                        .ptr(step.pageTableStart()).ptr(step.pageTable()).i32(heads).i32(kvHeads).i32(headDim)
                        .i32(layer).i32(pages.layers()).i32(pages.pageSize()).f32(scale));
    }
}
