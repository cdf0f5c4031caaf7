// The routed experts of an MoE block, as vLLM's fused_moe structures them:
//   moe_align      (token, slot) pairs sorted by expert, each expert's run padded to the tile
//   moe_gate_up_*  per tile: act[slot] = silu(x[token] Wg[e]^T) * (x[token] Wu[e]^T)   (SwiGLU fused)
//   moe_down_*     per tile: y[slot] = act[slot] Wd[e]^T
//   moe_combine    out[token] = sum_j weight[token, j] * y[token * k + j], skipping slots of expert -1
// A "slot" is t * k + j, the j-th expert choice of token t (Routing's layout). Experts' weights sit
// wherever they were uploaded; kernels find them through tables of device pointers, one per matrix.
//
// Each GEMM has a row kernel (_gemv_*, float32, any weight type; tiles of 8, decode) and a tensor
// core kernel (_tc_bf16, tiles of 64, prefill and large batches); the Java planner picks one per call
// and aligns with the matching tile.
#include "common.cuh"
#include "gemm_tc.cuh"

constexpr int ALIGN_WARPS = 8;

// Sorts slots by expert, stable (within an expert, ascending slot), each expert's run padded with
// `slots` (the sentinel) to a multiple of `tile`. Writes sorted[capacity] (entries past the last
// tile are left alone), tile_expert[] for every tile, and tile_count[0]. Mirrors MoeAlignPlan.java.
//
// One block of 8 warps. Each warp owns a contiguous range of slots: it counts its range per expert,
// the counts become per-warp write offsets, and the warp scatters its range in order, ranking equal
// experts within a step of 32 with __match_any_sync, so the result is deterministic.
// Dynamic shared memory: (8 + 1) * experts ints.
extern "C" __global__ void __launch_bounds__(ALIGN_WARPS * 32)
    moe_align(const int* __restrict__ chosen, int slots, int experts, int tile, int* __restrict__ sorted,
              int* __restrict__ tile_expert, int* __restrict__ tile_count) {
    extern __shared__ int counts[];        // [warp][expert], then the padded start of each expert
    int* start = counts + ALIGN_WARPS * experts;
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int per_warp = (slots + ALIGN_WARPS - 1) / ALIGN_WARPS;
    int first = min(slots, warp * per_warp);
    int last = min(slots, first + per_warp);

    for (int i = threadIdx.x; i < ALIGN_WARPS * experts; i += blockDim.x) counts[i] = 0;
    __syncthreads();
    for (int i = first + lane; i < last; i += 32) {
        int e = chosen[i];
        if ((unsigned)e < (unsigned)experts) {  // the planner validates; never write out of bounds
            atomicAdd(&counts[warp * experts + e], 1);
        }
    }
    __syncthreads();
    // Each expert's total, padded, then a running sum over experts (one thread: experts <= 1024).
    for (int e = threadIdx.x; e < experts; e += blockDim.x) {
        int total = 0;
        for (int w = 0; w < ALIGN_WARPS; w++) total += counts[w * experts + e];
        start[e] = (total + tile - 1) / tile * tile;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        int running = 0;
        for (int e = 0; e < experts; e++) {
            int padded = start[e];
            start[e] = running;
            running += padded;
        }
        tile_count[0] = running / tile;
    }
    __syncthreads();
    // Tiles, padding, and each warp's first write position per expert.
    for (int e = threadIdx.x; e < experts; e += blockDim.x) {
        int position = start[e];
        int total = 0;
        for (int w = 0; w < ALIGN_WARPS; w++) {
            int c = counts[w * experts + e];
            counts[w * experts + e] = position;
            position += c;
            total += c;
        }
        int end = start[e] + (total + tile - 1) / tile * tile;
        for (int p = start[e] + total; p < end; p++) sorted[p] = slots;
        for (int t = start[e] / tile; t < end / tile; t++) tile_expert[t] = e;
    }
    __syncthreads();
    unsigned below = (1u << lane) - 1u;
    for (int base = first; base < last; base += 32) {
        int i = base + lane;
        int e = i < last ? chosen[i] : -1;
        e = (unsigned)e < (unsigned)experts ? e : -1;
        unsigned same = __match_any_sync(0xffffffffu, e);
        if (e >= 0) {
            sorted[counts[warp * experts + e] + __popc(same & below)] = i;
        }
        __syncwarp();
        if (e >= 0 && (same & below) == 0) {  // the lowest lane of each group advances its offset
            counts[warp * experts + e] += __popc(same);
        }
        __syncwarp();
    }
}

constexpr int GEMV_TILE = 8;   // rows per tile of the row kernels
constexpr int GEMV_WARPS = 8;  // output columns per block

// One tile of 8 sorted slots x 8 output columns; warp w computes column blockIdx.x * 8 + w for the
// tile's rows. `a_row(slot)` is the row of A for a slot; weights[e] is expert e's [N, K] matrix.
template <typename W, int NB>
__device__ __forceinline__ void expert_rows(const float* __restrict__ a, int lda, const int* rows, int count,
                                            const W* const* matrices, int n, int K, int vectorized,
                                            float (&acc)[NB][GEMV_TILE]) {
    int lane = threadIdx.x & 31;
#pragma unroll
    for (int b = 0; b < NB; b++)
#pragma unroll
        for (int r = 0; r < GEMV_TILE; r++) acc[b][r] = 0.f;
    if (vectorized) {
        for (int k = lane * 8; k < K; k += 32 * 8) {
            float wv[NB][8];
#pragma unroll
            for (int b = 0; b < NB; b++) load8(matrices[b] + (size_t)n * K + k, wv[b]);
#pragma unroll
            for (int r = 0; r < GEMV_TILE; r++) {
                if (r < count) {
                    float xv[8];
                    load8_activations(a + (size_t)rows[r] * lda + k, xv);
#pragma unroll
                    for (int b = 0; b < NB; b++)
#pragma unroll
                        for (int i = 0; i < 8; i++) acc[b][r] += xv[i] * wv[b][i];
                }
            }
        }
    } else {
        for (int k = lane; k < K; k += 32) {
            float wv[NB];
#pragma unroll
            for (int b = 0; b < NB; b++) wv[b] = widen(matrices[b][(size_t)n * K + k]);
#pragma unroll
            for (int r = 0; r < GEMV_TILE; r++) {
                if (r < count) {
                    float xv = a[(size_t)rows[r] * lda + k];
#pragma unroll
                    for (int b = 0; b < NB; b++) acc[b][r] += xv * wv[b];
                }
            }
        }
    }
#pragma unroll
    for (int b = 0; b < NB; b++)
#pragma unroll
        for (int r = 0; r < GEMV_TILE; r++) acc[b][r] = warp_sum(acc[b][r]);
}

// Reads the tile's slots into shared memory; returns how many are real (the rest is padding, which
// moe_align only ever puts at the end of a tile). -1 when the tile is past the last one.
__device__ __forceinline__ int read_tile(const int* sorted, const int* tile_count, int tile, int size, int slots,
                                         int* tile_slots) {
    if (tile >= tile_count[0]) {
        return -1;
    }
    if (threadIdx.x == 0) {
        int n = 0;
        for (int r = 0; r < size; r++) {
            int s = sorted[tile * size + r];
            tile_slots[r] = s;
            n += s < slots ? 1 : 0;
        }
        tile_slots[size] = n;
    }
    __syncthreads();
    return tile_slots[size];
}

// act[slot, n] = silu(x[token] . Wg[e, n]) * (x[token] . Wu[e, n]), float32.
// Grid: (ceil(I / 8), tiles); block 256.
template <typename W>
__device__ void gate_up_gemv(float* __restrict__ act, const float* __restrict__ x, const int* __restrict__ sorted,
                             const int* __restrict__ tile_expert, const int* __restrict__ tile_count,
                             const unsigned long long* __restrict__ gate, const unsigned long long* __restrict__ up,
                             int k, int slots, int hidden, int width, int vectorized) {
    __shared__ int tile_slots[GEMV_TILE + 1];
    __shared__ int token_rows[GEMV_TILE];
    int count = read_tile(sorted, tile_count, blockIdx.y, GEMV_TILE, slots, tile_slots);
    if (count < 0) {
        return;
    }
    if (threadIdx.x < GEMV_TILE) {
        token_rows[threadIdx.x] = threadIdx.x < count ? tile_slots[threadIdx.x] / k : 0;
    }
    __syncthreads();
    int n = blockIdx.x * GEMV_WARPS + (threadIdx.x >> 5);
    if (n >= width) {
        return;
    }
    int e = tile_expert[blockIdx.y];
    const W* matrices[2] = {reinterpret_cast<const W*>(gate[e]), reinterpret_cast<const W*>(up[e])};
    float acc[2][GEMV_TILE];
    expert_rows<W, 2>(x, hidden, token_rows, count, matrices, n, hidden, vectorized, acc);
    if ((threadIdx.x & 31) == 0) {
#pragma unroll
        for (int r = 0; r < GEMV_TILE; r++) {  // unrolled with a guard: acc stays in registers
            if (r < count) act[(size_t)tile_slots[r] * width + n] = silu_mul(acc[0][r], acc[1][r]);
        }
    }
}

// y[slot, n] = act[slot] . Wd[e, n], float32. Grid: (ceil(H / 8), tiles); block 256.
template <typename W>
__device__ void down_gemv(float* __restrict__ y, const float* __restrict__ act, const int* __restrict__ sorted,
                          const int* __restrict__ tile_expert, const int* __restrict__ tile_count,
                          const unsigned long long* __restrict__ down, int slots, int hidden, int width,
                          int vectorized) {
    __shared__ int tile_slots[GEMV_TILE + 1];
    int count = read_tile(sorted, tile_count, blockIdx.y, GEMV_TILE, slots, tile_slots);
    if (count < 0) {
        return;
    }
    int n = blockIdx.x * GEMV_WARPS + (threadIdx.x >> 5);
    if (n >= hidden) {
        return;
    }
    int e = tile_expert[blockIdx.y];
    const W* matrices[1] = {reinterpret_cast<const W*>(down[e])};
    float acc[1][GEMV_TILE];
    expert_rows<W, 1>(act, width, tile_slots, count, matrices, n, width, vectorized, acc);
    if ((threadIdx.x & 31) == 0) {
#pragma unroll
        for (int r = 0; r < GEMV_TILE; r++) {
            if (r < count) y[(size_t)tile_slots[r] * hidden + n] = acc[0][r];
        }
    }
}

#define MOE_GEMV(T, SUFFIX)                                                                                      \
    extern "C" __global__ void __launch_bounds__(256) moe_gate_up_gemv_##SUFFIX(                                 \
        float* act, const float* x, const int* sorted, const int* tile_expert, const int* tile_count,             \
        const unsigned long long* gate, const unsigned long long* up, int k, int slots, int hidden, int width,    \
        int vectorized) {                                                                                        \
        gate_up_gemv<T>(act, x, sorted, tile_expert, tile_count, gate, up, k, slots, hidden, width, vectorized); \
    }                                                                                                            \
    extern "C" __global__ void __launch_bounds__(256) moe_down_gemv_##SUFFIX(                                    \
        float* y, const float* act, const int* sorted, const int* tile_expert, const int* tile_count,             \
        const unsigned long long* down, int slots, int hidden, int width, int vectorized) {                      \
        down_gemv<T>(y, act, sorted, tile_expert, tile_count, down, slots, hidden, width, vectorized);           \
    }
FOR_EACH_WEIGHT_TYPE(MOE_GEMV)

// The row tables of a tensor-core tile: the slot of each of its 64 rows (-1 for padding) and, for
// the gate/up product, the token whose activations feed the row (slot / per_token). Ends with a barrier.
__device__ __forceinline__ void tile_rows(const int* sorted, int tile, int slots, int per_token, int* slot_rows,
                                          int* token_rows) {
    for (int r = threadIdx.x; r < tc::BM; r += blockDim.x) {
        int s = sorted[tile * tc::BM + r];
        slot_rows[r] = s < slots ? s : -1;
        if (token_rows != nullptr) {
            token_rows[r] = s < slots ? s / per_token : -1;
        }
    }
    __syncthreads();
}

// Tensor-core gate/up with SwiGLU fused: act[slot, n] = bf16(silu(g) * u) for the tile's 64 slots
// and 64 columns. Grid: (ceil(I / 64), tiles).
extern "C" __global__ void __launch_bounds__(tc::THREADS)
    moe_gate_up_tc_bf16(bf16* __restrict__ act, const float* __restrict__ x, const int* __restrict__ sorted,
                        const int* __restrict__ tile_expert, const int* __restrict__ tile_count,
                        const unsigned long long* __restrict__ gate, const unsigned long long* __restrict__ up,
                        int k, int slots, int hidden, int width) {
    __shared__ __align__(16) tc::Stages<2> stages;
    __shared__ int token_rows[tc::BM];
    __shared__ int slot_rows[tc::BM];
    int tile = blockIdx.y;
    if (tile >= tile_count[0]) {
        return;
    }
    tile_rows(sorted, tile, slots, k, slot_rows, token_rows);
    int e = tile_expert[tile];
    int n0 = blockIdx.x * tc::BN;
    const bf16* matrices[2] = {reinterpret_cast<const bf16*>(gate[e]), reinterpret_cast<const bf16*>(up[e])};
    tc::Accumulators<2> acc;
    tc::main_loop<2, true>(x, hidden, token_rows, matrices, n0, width, hidden, stages, acc);
    tc::for_each_pair(acc, [&](int row, int col, const float* g, const float* u) {
        int s = slot_rows[row];
        int n = n0 + col;
        if (s >= 0 && n < width) {  // width % 8 == 0, so n + 1 < width too
            *reinterpret_cast<unsigned*>(act + (size_t)s * width + n) =
                tc::pack_bf16(silu_mul(g[0], u[0]), silu_mul(g[1], u[1]));
        }
    });
}

// Tensor-core down projection: y[slot, n] = act[slot] . Wd[e, n], float32 out.
// Grid: (ceil(H / 64), tiles).
extern "C" __global__ void __launch_bounds__(tc::THREADS)
    moe_down_tc_bf16(float* __restrict__ y, const bf16* __restrict__ act, const int* __restrict__ sorted,
                     const int* __restrict__ tile_expert, const int* __restrict__ tile_count,
                     const unsigned long long* __restrict__ down, int slots, int hidden, int width) {
    __shared__ __align__(16) tc::Stages<1> stages;
    __shared__ int slot_rows[tc::BM];
    int tile = blockIdx.y;
    if (tile >= tile_count[0]) {
        return;
    }
    tile_rows(sorted, tile, slots, 0, slot_rows, nullptr);
    int e = tile_expert[tile];
    int n0 = blockIdx.x * tc::BN;
    const bf16* matrices[1] = {reinterpret_cast<const bf16*>(down[e])};
    tc::Accumulators<1> acc;
    tc::main_loop<1, false>(act, width, slot_rows, matrices, n0, hidden, width, stages, acc);
    tc::for_each_pair(acc, [&](int row, int col, const float* c, const float*) {
        int s = slot_rows[row];
        int n = n0 + col;
        if (s >= 0 && n < hidden) {  // hidden % 8 == 0
            *reinterpret_cast<float2*>(y + (size_t)s * hidden + n) = make_float2(c[0], c[1]);
        }
    });
}

// out[t, c] = sum_j weights[t * k + j] * y[t * k + j, c], in slot order, as the reference sums.
// A slot whose expert is -1 lives on another device (expert parallelism): moe_align gave it no
// tile, its y row holds nothing, and it adds nothing here. Grid: one block per token.
extern "C" __global__ void moe_combine(float* __restrict__ out, const float* __restrict__ y,
                                       const int* __restrict__ chosen, const float* __restrict__ weights, int k,
                                       int hidden) {
    int t = blockIdx.x;
    for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
        float sum = 0.f;
        for (int j = 0; j < k; j++) {
            if (chosen[t * k + j] >= 0) {
                sum += weights[t * k + j] * y[(size_t)(t * k + j) * hidden + c];
            }
        }
        out[(size_t)t * hidden + c] = sum;
    }
}
