package org.moebatch.engine;

import java.util.Locale;
import org.moebatch.model.Checkpoint;
import org.moebatch.model.ModelException;
import org.moebatch.model.ModelSpec;
import org.moebatch.model.SafetensorsFile;
import org.moebatch.tensor.DType;

/**
 * What an engine needs on each device before it loads: the weights (routed experts split over the
 * devices, everything else on the first), the KV cache budget, and the step's activations. Checked
 * against the device's free memory so a model that cannot fit fails at once with the shortfall,
 * instead of half-way through an upload.
 *
 * @param denseBytes     bytes of every tensor but the routed experts
 * @param expertBytes    bytes of the routed experts, all layers
 * @param kvCacheBytes   the KV cache budget
 * @param workspaceBytes activations of the largest step
 * @param devices        devices the experts are spread over
 */
public record MemoryPlan(long denseBytes, long expertBytes, long kvCacheBytes, long workspaceBytes, int devices) {
    private static final double GIB = 1024.0 * 1024 * 1024;

    public static MemoryPlan of(Checkpoint checkpoint, ModelSpec spec, EngineConfig config, int devices) {
        return of(checkpoint, spec, config, devices, false);
    }

    /**
     * The plan with the weights as a device holds them: as stored, or with quantised matrices
     * decoded to bf16 ({@code decodedToBf16}, the CUDA backend): FP8 codes take two bytes each,
     * packed INT4 words four times their bytes, and the scales are not kept.
     */
    public static MemoryPlan of(Checkpoint checkpoint, ModelSpec spec, EngineConfig config, int devices,
            boolean decodedToBf16) {
        long dense = 0;
        long experts = 0;
        for (SafetensorsFile file : checkpoint.files()) {
            for (SafetensorsFile.TensorEntry t : file.entries().values()) {
                long bytes = decodedToBf16 ? bf16Bytes(t) : t.byteLength();
                if (t.name().contains(".experts.")) { // mlp.experts.E, Mixtral's block_sparse_moe.experts.E
                    experts += bytes;
                } else {
                    dense += bytes;
                }
            }
        }
        return new MemoryPlan(dense, experts, config.kvCacheBytes(), workspace(spec, config), devices);
    }

    private static long bf16Bytes(SafetensorsFile.TensorEntry t) {
        String n = t.name();
        if (n.endsWith(".weight_scale_inv") || n.endsWith(".weight_scale") || n.endsWith(".weight_shape")) {
            return 0;
        }
        if (n.endsWith(".weight_packed")) {
            return 4 * t.byteLength(); // eight 4-bit values per 32-bit word
        }
        return t.dtype() == DType.F8_E4M3 ? 2 * t.byteLength() : t.byteLength();
    }

    /**
     * The float32 activations of a step of {@code maxStepTokens} tokens: the residual stream and its
     * normalised copy, the attention's queries and latent outputs, every routed slot's expert output
     * and SwiGLU intermediates, and the logits of the rows that sample.
     */
    static long workspace(ModelSpec spec, EngineConfig config) {
        long tokens = config.maxStepTokens();
        long perToken = 4L * spec.hidden()
                + (long) spec.heads() * (spec.qkHeadDim() + 2L * spec.kvLoraRank() + spec.valueHeadDim()) + spec.cacheEntryFloats()
                + (long) spec.expertsPerToken() * (spec.hidden() + 2L * Math.max(spec.moeIntermediate(), 1))
                + 2L * Math.max(spec.intermediate(), spec.moeIntermediate());
        long logits = (long) config.maxRunning() * spec.vocabSize();
        return 4 * (tokens * perToken + logits);
    }

    /** Bytes device {@code d} of the engine holds. */
    public long bytesOn(int d) {
        long expertShare = (expertBytes + devices - 1) / devices;
        return d == 0 ? denseBytes + expertShare + kvCacheBytes + workspaceBytes : expertShare + workspaceBytes;
    }

    /** Throws, naming the shortfall and what to change, when device {@code d} has less than it needs free. */
    public void check(String device, int d, long freeBytes) {
        long need = bytesOn(d);
        if (need <= freeBytes) {
            return;
        }
        throw new ModelException(String.format(Locale.ROOT,
                "the model does not fit on %s: it needs %.2f GiB (weights %.2f + routed experts %.2f%s + KV cache %.2f + activations %.2f) "
                        + "but %.2f GiB is free, short by %.2f GiB; lower --kv-cache-mb or spread the experts over more devices "
                        + "(e.g. --device cuda:0,cuda:1)",
                device, need / GIB, d == 0 ? denseBytes / GIB : 0, (expertBytes + devices - 1) / devices / GIB,
                devices > 1 ? " (1/" + devices + " of " + String.format(Locale.ROOT, "%.2f", expertBytes / GIB) + ")" : "",
                d == 0 ? kvCacheBytes / GIB : 0, workspaceBytes / GIB, freeBytes / GIB, (need - freeBytes) / GIB));
    }
}
