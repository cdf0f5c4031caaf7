// Helpers every kernel file shares: weight widening, warp reductions, and the macro that
// instantiates one kernel per weight type under a stable, unmangled name for cuModuleGetFunction.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <math_constants.h>
#include <stdint.h>

typedef __nv_bfloat16 bf16;

// A weight element as float. bf16 is the high half of a float32, so widening is exact; f16 too.
__device__ __forceinline__ float widen(float v) { return v; }
__device__ __forceinline__ float widen(bf16 v) { return __bfloat162float(v); }
__device__ __forceinline__ float widen(__half v) { return __half2float(v); }

// Eight consecutive weights, widened. The pointer must be 16-byte aligned (the caller's planner
// checks that rows are a multiple of 8 elements long, so every row start is aligned).
__device__ __forceinline__ void load8(const bf16* p, float* out) {
    uint4 v = __ldg(reinterpret_cast<const uint4*>(p));
    unsigned w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; i++) {
        out[2 * i] = __uint_as_float(w[i] << 16);
        out[2 * i + 1] = __uint_as_float(w[i] & 0xffff0000u);
    }
}

__device__ __forceinline__ void load8(const __half* p, float* out) {
    uint4 v = __ldg(reinterpret_cast<const uint4*>(p));
    unsigned w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; i++) {
        __half2 h = *reinterpret_cast<__half2*>(&w[i]);
        float2 f = __half22float2(h);
        out[2 * i] = f.x;
        out[2 * i + 1] = f.y;
    }
}

__device__ __forceinline__ void load8(const float* p, float* out) {
    float4 a = __ldg(reinterpret_cast<const float4*>(p));
    float4 b = __ldg(reinterpret_cast<const float4*>(p) + 1);
    out[0] = a.x; out[1] = a.y; out[2] = a.z; out[3] = a.w;
    out[4] = b.x; out[5] = b.y; out[6] = b.z; out[7] = b.w;
}

// Eight consecutive activations (f32, 16-byte aligned).
__device__ __forceinline__ void load8_activations(const float* p, float* out) {
    float4 a = *reinterpret_cast<const float4*>(p);
    float4 b = *(reinterpret_cast<const float4*>(p) + 1);
    out[0] = a.x; out[1] = a.y; out[2] = a.z; out[3] = a.w;
    out[4] = b.x; out[5] = b.y; out[6] = b.z; out[7] = b.w;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffffu, v, offset);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    }
    return v;
}

// Sum over the block; every thread gets the total. `scratch` holds one float per warp.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    float total = 0.f;
    for (int w = 0; w < warps; w++) {
        total += scratch[w];
    }
    return total;
}

// silu(g) * u, as SwiGLU computes it (the reference: g / (1 + exp(-g)) * u).
__device__ __forceinline__ float silu_mul(float g, float u) {
    return g / (1.f + expf(-g)) * u;
}

// Float offset of a KV-cache entry: pages are [page][layer][slot][entry] floats, HostKvCache's layout,
// for MLA's [latent | rope key] and grouped-query attention's [keys | values] alike.
__device__ __forceinline__ size_t cache_entry_offset(int page, int layer, int layers, int page_size, int slot,
                                                     int entry) {
    return (((size_t)page * layers + layer) * page_size + slot) * entry;
}

// Flash attention's running softmax, one row of a block: folds a chunk of the row's scores (sr[0..n),
// -inf where masked) into its running max and sum. The scores become the chunk's weights, and
// rescale[r] the factor the row's accumulator must be multiplied by before they are added. A row
// that has seen no visible position yet keeps max -inf, sum 0 and weights 0.
__device__ __forceinline__ void online_softmax_chunk(float* sr, int n, int r, float* run_max, float* run_sum,
                                                     float* rescale) {
    float chunk_max = -CUDART_INF_F;
    for (int j = 0; j < n; j++) chunk_max = fmaxf(chunk_max, sr[j]);
    float new_max = fmaxf(run_max[r], chunk_max);
    if (new_max == -CUDART_INF_F) {
        rescale[r] = 1.f;
        for (int j = 0; j < n; j++) sr[j] = 0.f;
        return;
    }
    float alpha = expf(run_max[r] - new_max);  // exp(-inf) = 0 on the first visible chunk
    float sum = 0.f;
    for (int j = 0; j < n; j++) {
        float pj = expf(sr[j] - new_max);
        sr[j] = pj;
        sum += pj;
    }
    rescale[r] = alpha;
    run_sum[r] = run_sum[r] * alpha + sum;
    run_max[r] = new_max;
}

// One kernel name per weight type: NAME_bf16, NAME_f16, NAME_f32, each calling the template.
#define FOR_EACH_WEIGHT_TYPE(X) X(bf16, bf16) X(__half, f16) X(float, f32)
