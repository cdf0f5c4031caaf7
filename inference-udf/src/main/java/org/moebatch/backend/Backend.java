package org.moebatch.backend;

import java.util.OptionalLong;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.Weight;
import org.moebatch.tensor.WeightMatrix;

/**
 * The seam between the model and the hardware. The model code calls these operations and never asks
 * where it runs; {@link CpuBackend} (Vector API, multi-threaded), {@link ReferenceBackend} (plain
 * loops, the yardstick of the tests) and the CUDA backend implement them.
 *
 * <p>Tensors passed in were made by the same backend. Shapes are {@code [rows, cols]}; "tokens"
 * means the step's token count, {@code x.rows()}. A backend is driven by one thread at a time.
 */
public interface Backend extends AutoCloseable {
    /** "cpu", "cpu-reference", "cuda:0", ... */
    String device();

    /** A tensor of this backend's memory, {@code [rows, cols]}. */
    Tensor tensor(int rows, int cols);

    /** Makes a checkpoint matrix usable by this backend (the CPU reads it mapped; a GPU uploads it). */
    Weight weight(WeightMatrix matrix);

    /**
     * A routed expert's matrix: where experts are spread over devices ({@link ExpertParallelBackend})
     * it goes to the device that owns {@code expert}; elsewhere it is {@link #weight}.
     */
    default Weight expertWeight(int expert, WeightMatrix matrix) {
        return weight(matrix);
    }

    /**
     * Memory free now on this backend's device, for the weights and cache still to come; empty for a
     * backend that computes from host memory (the CPU), whose weights stay in the page cache.
     */
    default OptionalLong deviceFreeBytes() {
        return OptionalLong.empty();
    }

    /**
     * Returns once every operation issued so far has finished. A no-op where an operation is done
     * when its call returns (the CPU); a stream synchronisation on a GPU, whose launches return at
     * once. For timing ({@link ProfilingBackend}): the backend orders its own work without it.
     */
    default void synchronize() {}

    /** Cache storage of {@code pages} pages of {@code pageSize} positions for every layer. */
    KvCache kvCache(int layers, int pageSize, KvLayout layout, int pages);

    /** {@code out[t] = table[tokens[t]]}, widened to float. */
    void embed(Tensor out, int[] tokens, Weight table);

    /** {@code out = rmsnorm(x) * gamma}, row by row; {@code out} may be {@code x}. */
    void rmsNorm(Tensor out, Tensor x, float[] gamma, float eps);

    /**
     * RMSNorm in place over each of the {@code heads} heads of every row (each {@code x.cols() / heads}
     * wide), every head scaled by the same {@code gamma}: Qwen3's {@code q_norm} and {@code k_norm}.
     */
    void rmsNormHeads(Tensor x, int heads, float[] gamma, float eps);

    /** The fused residual step: {@code residual += delta; out = rmsnorm(residual) * gamma}. */
    void addRmsNorm(Tensor residual, Tensor delta, Tensor out, float[] gamma, float eps);

    /** {@code residual += delta}. */
    void add(Tensor residual, Tensor delta);

    /** {@code out = x W^T + b}: {@code x [tokens, in]}, {@code out [tokens, out]}. */
    void linear(Tensor out, Tensor x, Linear layer);

    /** SwiGLU's gate, in place: {@code gate = silu(gate) * up}. */
    void siluMul(Tensor gate, Tensor up);

    /**
     * Rotates, in place, the rope part {@code [ropeOffset, ropeOffset + rope)} of each of
     * {@code heads} heads of width {@code headWidth} in every row, by the step's rotary tables.
     */
    void rope(Tensor x, int heads, int headWidth, int ropeOffset, Batch batch, Rotary rotary);

    /**
     * MLA's query absorption: each head's no-position query goes through that head's key
     * up-projection, {@code qLatent[t, h] = W_UK[h]^T q[t, h, :nope]}, so attention can run against
     * the cached latent directly. {@code q [tokens, heads * (nope + rope)]},
     * {@code qLatent [tokens, heads * latent]}, {@code kvB [heads * (nope + value), latent]}.
     */
    void mlaAbsorbQuery(Tensor qLatent, Tensor q, Weight kvB, MlaDims dims);

    /**
     * Writes each token's cache entry {@code [first[t] | second[t]]} into its page slot: MLA's latent and
     * rope key, or grouped-query attention's keys and values. The two widths add up to the entry.
     */
    void storeKv(KvCache cache, int layer, Tensor first, Tensor second, Batch batch);

    /**
     * Attention over the cache in the absorbed form: token {@code t} of head {@code h} scores cached
     * position {@code p <= position(t)} by {@code (qLatent[t,h] . latent[p] + qRope[t,h] . keyRope[p]) * scale},
     * and {@code outLatent[t, h] = sum_p softmax(score)_p * latent[p]}. The rope part of the query is
     * read from {@code q} at {@code [h * (nope + rope) + nope, ...)}.
     */
    void mlaAttend(Tensor outLatent, Tensor qLatent, Tensor q, KvCache cache, int layer, Batch batch,
            MlaDims dims, float scale);

    /** The value up-projection per head: {@code out[t, h] = W_UV[h] outLatent[t, h]}, {@code out [tokens, heads * value]}. */
    void mlaProjectValues(Tensor out, Tensor outLatent, Weight kvB, MlaDims dims);

    /**
     * Grouped-query attention over the cache: query head {@code h} of token {@code t} scores cached
     * position {@code p <= position(t)} by {@code (q[t, h] . k[p, g]) * scale} with {@code g = h / groupSize},
     * and {@code out[t, h] = sum_p softmax(score)_p * v[p, g]}. {@code q, out [tokens, heads * headDim]};
     * the cache entries are laid out as {@link GqaDims} says.
     */
    void gqaAttend(Tensor out, Tensor q, KvCache cache, int layer, Batch batch, GqaDims dims, float scale);

    /**
     * An empty routing of {@code expertsPerToken} slots per token, in this backend's memory; it grows
     * with the steps routed into it. Made once per workspace, like its tensors.
     */
    Routing routing(int expertsPerToken);

    /** Routes every token: {@code logits [tokens, experts]} in, the chosen experts and weights out. */
    void route(Routing routing, Tensor logits, Router router);

    /**
     * Copies the routing's {@code tokens * k} chosen experts and weights to the host: for expert
     * parallelism, which dispatches tokens to devices through the host, and for tests. On a GPU it
     * waits for the device; the forward pass never calls it.
     */
    void copyRoutingToHost(Routing routing, int[] experts, float[] weights);

    /**
     * Makes {@code routing} a routing of {@code tokens} tokens with these {@code tokens * k} experts
     * and weights (expert {@code -1}: a slot whose expert another device owns); checked by
     * {@link Routing#checkHostValues}.
     */
    void copyRoutingFromHost(int[] experts, float[] weights, int tokens, Routing routing);

    /** A zeroed histogram of the slots routed to each of {@code experts} experts in each of {@code layers} layers. */
    ExpertCounts expertCounts(int layers, int experts);

    /** Adds {@code routing}'s slots to row {@code layer} of {@code counts}; no host round trip. */
    void countExperts(ExpertCounts counts, int layer, Routing routing);

    /**
     * Writes the counts added since the last drain into {@code into [layers][experts]} and zeroes
     * them: once per step (on a GPU, one wait). Throws, after zeroing, if a layer routed a slot to no
     * expert (the router found none eligible), so such a step fails rather than passing unnoticed.
     */
    void drainExpertCounts(ExpertCounts counts, long[][] into);

    /**
     * The routed experts of an MoE block: tokens grouped by expert, one SwiGLU product per active
     * expert over its tokens, outputs combined by routing weight into {@code out [tokens, hidden]}.
     * A slot routed to expert {@code -1} belongs to another device and adds nothing here.
     */
    void moeExperts(Tensor out, Tensor x, Routing routing, Mlp[] experts);

    /** {@code out[i] = x[rows[i]]} for {@code i < out.rows()}. */
    void gatherRows(Tensor out, Tensor x, int[] rows);

    /** Copies the tensor's {@code rows * cols} values to the host, row-major. */
    void copyToHost(Tensor t, float[] destination);

    /** Fills the tensor's {@code rows * cols} values from the host, row-major. */
    void copyFromHost(float[] source, Tensor t);

    @Override
    void close();
}
