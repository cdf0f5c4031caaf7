// Linear layers, out = x W^T + b, x float32 [M, K], W [N, K] as the checkpoint stores it.
//
// Two kernels, chosen per call by the Java planner (GemmPlan):
//  - linear_rows_*: few rows (decode). Memory-bound: each warp streams one weight row once and
//    applies it to up to 8 rows of x at a time, in float32 throughout. Any weight type. Batched
//    along gridDim.z with per-batch offsets, which is how MLA's value projection runs one small
//    product per head.
//  - linear_tc_bf16: many rows (prefill). Tensor cores, bf16 weights, x rounded to bf16.
#include "common.cuh"
#include "gemm_tc.cuh"

constexpr int ROWS_PER_PASS = 8;  // rows of x sharing one read of a weight row
constexpr int WARPS = 8;          // weight rows (outputs) per block

// out[m, z * o_batch + n] = sum_k x[m, z * x_batch + k] * W[w_row_base + z * w_batch_rows + n, k] (+ bias[n])
// Grid: (ceil(N / 8), ceil(M / 8), batches); block 256 = 8 warps, warp w owns output column
// blockIdx.x * 8 + w. `vectorized`: K % 8 == 0, ldx % 4 == 0 and x_batch % 4 == 0 (the planner
// checks), so eight weights are one 16-byte load and eight activations two.
template <typename W>
__device__ void linear_rows(float* __restrict__ out, const float* __restrict__ x, const W* __restrict__ w,
                            const float* __restrict__ bias, int M, int N, int K, int ldx, int ldo, int x_batch,
                            int w_row_base, int w_batch_rows, int o_batch, int vectorized) {
    int lane = threadIdx.x & 31;
    int n = blockIdx.x * WARPS + (threadIdx.x >> 5);
    if (n >= N) {
        return;
    }
    int z = blockIdx.z;
    int m0 = blockIdx.y * ROWS_PER_PASS;
    int rows = min(ROWS_PER_PASS, M - m0);
    const W* weights = w + (size_t)(w_row_base + z * w_batch_rows + n) * K;
    const float* xs = x + (size_t)m0 * ldx + (size_t)z * x_batch;
    float acc[ROWS_PER_PASS];
#pragma unroll
    for (int r = 0; r < ROWS_PER_PASS; r++) acc[r] = 0.f;

    if (vectorized) {
        for (int k = lane * 8; k < K; k += 32 * 8) {
            float wv[8];
            load8(weights + k, wv);
#pragma unroll
            for (int r = 0; r < ROWS_PER_PASS; r++) {
                if (r < rows) {
                    float xv[8];
                    load8_activations(xs + (size_t)r * ldx + k, xv);
#pragma unroll
                    for (int i = 0; i < 8; i++) acc[r] += xv[i] * wv[i];
                }
            }
        }
    } else {
        for (int k = lane; k < K; k += 32) {
            float wv = widen(weights[k]);
#pragma unroll
            for (int r = 0; r < ROWS_PER_PASS; r++) {
                if (r < rows) acc[r] += xs[(size_t)r * ldx + k] * wv;
            }
        }
    }
    float b = bias == nullptr ? 0.f : bias[n];
#pragma unroll
    for (int r = 0; r < ROWS_PER_PASS; r++) {
        float total = warp_sum(acc[r]);
        if (lane == 0 && r < rows) {
            out[(size_t)(m0 + r) * ldo + (size_t)z * o_batch + n] = total + b;
        }
    }
}

#define LINEAR_ROWS(T, SUFFIX)                                                                              \
    extern "C" __global__ void __launch_bounds__(256)                                                       \
        linear_rows_##SUFFIX(float* out, const float* x, const T* w, const float* bias, int M, int N, int K, \
                             int ldx, int ldo, int x_batch, int w_row_base, int w_batch_rows, int o_batch,  \
                             int vectorized) {                                                              \
        linear_rows<T>(out, x, w, bias, M, N, K, ldx, ldo, x_batch, w_row_base, w_batch_rows, o_batch,      \
                       vectorized);                                                                         \
    }
FOR_EACH_WEIGHT_TYPE(LINEAR_ROWS)

// out[M, N] = x[M, K] W[N, K]^T (+ bias), on tensor cores. Grid: (ceil(N / 64), ceil(M / 64)).
extern "C" __global__ void __launch_bounds__(tc::THREADS)
    linear_tc_bf16(float* __restrict__ out, const float* __restrict__ x, const bf16* __restrict__ w,
                   const float* __restrict__ bias, int M, int N, int K, int ldx, int ldo) {
    __shared__ __align__(16) tc::Stages<1> stages;
    __shared__ int rows[tc::BM];
    int m0 = blockIdx.y * tc::BM;
    int n0 = blockIdx.x * tc::BN;
    for (int r = threadIdx.x; r < tc::BM; r += blockDim.x) {
        rows[r] = m0 + r < M ? m0 + r : -1;
    }
    __syncthreads();
    tc::Accumulators<1> acc;
    const bf16* weights[1] = {w};
    tc::main_loop<1, true>(x, ldx, rows, weights, n0, N, K, stages, acc);
    tc::for_each_pair(acc, [&](int row, int col, const float* c, const float*) {
        int m = m0 + row;
        int n = n0 + col;
        if (m < M) {
            if (n < N) out[(size_t)m * ldo + n] = c[0] + (bias == nullptr ? 0.f : bias[n]);
            if (n + 1 < N) out[(size_t)m * ldo + n + 1] = c[1] + (bias == nullptr ? 0.f : bias[n + 1]);
        }
    });
}
