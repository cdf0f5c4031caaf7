// The tensor-core main loop shared by the dense linear layer and the grouped expert GEMMs:
// C[BM x BN] = A[rows, K] * B[N, K]^T for one block tile, bf16 inputs, float32 accumulators, with
// `mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32` (sm_80 and later).
//
// A's rows are gathered through a per-tile row table (the expert GEMMs read the tokens that chose
// the tile's expert), and A is either float32 (activations, rounded to bf16 on the way into shared
// memory) or bf16 (the SwiGLU output of the gate/up GEMM). B is a weight matrix in the checkpoint's
// nn.Linear layout [N, K], K contiguous: exactly the "col" operand mma wants, so no transpose.
// NB weight matrices share one A tile (gate and up for the fused SwiGLU).
//
// Requirements checked by the Java planner (GemmPlan.tensorCoreEligible): K % 8 == 0 and every row
// start 16-byte aligned, so a 16-byte chunk of a row is either wholly inside K or wholly outside.
#pragma once

#include "common.cuh"

namespace tc {

constexpr int BM = 64;           // rows of A per block tile (= the moe_align tile)
constexpr int BN = 64;           // columns of C per block tile
constexpr int BK = 32;           // K per shared-memory stage
constexpr int LDS = BK + 8;      // padded row of a stage: 80 bytes, so fragment loads hit 32 banks
constexpr int THREADS = 128;     // four warps, 2 x 2, each owning a 32 x 32 piece of the tile

__device__ __forceinline__ unsigned shared_address(const void* p) {
    return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

// 16 bytes global -> shared without a register round trip; zero-filled when !valid (the source
// address must still be a legal one, so callers pass the matrix base then).
__device__ __forceinline__ void copy16_async(void* shared, const void* global, bool valid) {
    int bytes = valid ? 16 : 0;
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(shared_address(shared)), "l"(global),
                 "r"(bytes));
}

__device__ __forceinline__ void commit_async() { asm volatile("cp.async.commit_group;\n" ::); }

template <int PENDING>
__device__ __forceinline__ void wait_async() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(PENDING));
}

// D = A B + D for one 16 x 8 x 16 step; fragments as the PTX ISA lays them out for m16n8k16.
__device__ __forceinline__ void mma_bf16(float* d, const unsigned* a, const unsigned* b) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
        "{%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

__device__ __forceinline__ unsigned pack_bf16(float lo, float hi) {
    __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);  // .x (lo) in the low half, as mma reads it
    return *reinterpret_cast<unsigned*>(&v);
}

__device__ __forceinline__ unsigned load_pair(const bf16* p) { return *reinterpret_cast<const unsigned*>(p); }

// The accumulators of one thread: [matrix][m16 piece][n8 piece][4 floats].
template <int NB>
struct Accumulators {
    float c[NB][2][4][4];
};

// Shared memory of the main loop: two stages of A and of each B.
template <int NB>
struct Stages {
    bf16 a[2][BM][LDS];
    bf16 b[NB][2][BN][LDS];
};

// Float32 A: each thread moves 16 consecutive floats of one row per stage (64 rows x 32 = 2048 =
// 128 threads x 16), held in registers between the load and the store so the load overlaps the MMAs.
struct FloatAStage {
    float4 v[4];

    __device__ __forceinline__ void load(const float* a, int lda, const int* rows, int k0, int K) {
        int r = threadIdx.x >> 1;
        int k = k0 + (threadIdx.x & 1) * 16;
        int src = rows[r];
#pragma unroll
        for (int q = 0; q < 4; q++) {
            if (src >= 0 && k + 4 * q < K) {
                v[q] = *reinterpret_cast<const float4*>(a + (size_t)src * lda + k + 4 * q);
            } else {
                v[q] = make_float4(0.f, 0.f, 0.f, 0.f);
            }
        }
    }

    __device__ __forceinline__ void store(bf16 (*stage)[LDS]) const {
        int r = threadIdx.x >> 1;
        int c = (threadIdx.x & 1) * 16;
        uint4 lo = make_uint4(pack_bf16(v[0].x, v[0].y), pack_bf16(v[0].z, v[0].w), pack_bf16(v[1].x, v[1].y),
                              pack_bf16(v[1].z, v[1].w));
        uint4 hi = make_uint4(pack_bf16(v[2].x, v[2].y), pack_bf16(v[2].z, v[2].w), pack_bf16(v[3].x, v[3].y),
                              pack_bf16(v[3].z, v[3].w));
        *reinterpret_cast<uint4*>(&stage[r][c]) = lo;
        *reinterpret_cast<uint4*>(&stage[r][c + 8]) = hi;
    }
};

// A bf16 [64 x 32] stage or a B [64 x 32] stage: 256 chunks of 16 bytes, two per thread, async.
// `rows[r]` is the source row of tile row r, or -1 for a row of zeros.
__device__ __forceinline__ void copy_stage_async(bf16 (*stage)[LDS], const bf16* m, int ld, const int* rows,
                                                 int k0, int K) {
#pragma unroll
    for (int i = 0; i < 2; i++) {
        int chunk = threadIdx.x + i * THREADS;
        int r = chunk >> 2;
        int k = (chunk & 3) * 8;
        int src = rows[r];
        bool valid = src >= 0 && k0 + k < K;
        const bf16* from = valid ? m + (size_t)src * ld + k0 + k : m;
        copy16_async(&stage[r][k], from, valid);
    }
}

// Same for a weight tile: rows n0 .. n0 + 63 of an [N, K] matrix.
__device__ __forceinline__ void copy_weight_stage_async(bf16 (*stage)[LDS], const bf16* w, int n0, int N, int K,
                                                        int k0) {
#pragma unroll
    for (int i = 0; i < 2; i++) {
        int chunk = threadIdx.x + i * THREADS;
        int r = chunk >> 2;
        int k = (chunk & 3) * 8;
        bool valid = n0 + r < N && k0 + k < K;
        const bf16* from = valid ? w + (size_t)(n0 + r) * K + k0 + k : w;
        copy16_async(&stage[r][k], from, valid);
    }
}

// The MMAs of one stage (two k16 steps) for this warp's 32 x 32 piece of every matrix.
template <int NB>
__device__ __forceinline__ void mma_stage(const Stages<NB>& s, int stage, Accumulators<NB>& acc) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int wm = (warp >> 1) * 32;
    int wn = (warp & 1) * 32;
    int g = lane >> 2;     // groupID
    int t = lane & 3;      // threadID_in_group
#pragma unroll
    for (int ks = 0; ks < BK; ks += 16) {
        unsigned a[2][4];
#pragma unroll
        for (int mi = 0; mi < 2; mi++) {
            int r = wm + mi * 16 + g;
            a[mi][0] = load_pair(&s.a[stage][r][ks + 2 * t]);
            a[mi][1] = load_pair(&s.a[stage][r + 8][ks + 2 * t]);
            a[mi][2] = load_pair(&s.a[stage][r][ks + 2 * t + 8]);
            a[mi][3] = load_pair(&s.a[stage][r + 8][ks + 2 * t + 8]);
        }
#pragma unroll
        for (int nb = 0; nb < NB; nb++) {
#pragma unroll
            for (int ni = 0; ni < 4; ni++) {
                int n = wn + ni * 8 + g;
                unsigned b[2];
                b[0] = load_pair(&s.b[nb][stage][n][ks + 2 * t]);
                b[1] = load_pair(&s.b[nb][stage][n][ks + 2 * t + 8]);
#pragma unroll
                for (int mi = 0; mi < 2; mi++) {
                    mma_bf16(acc.c[nb][mi][ni], a[mi], b);
                }
            }
        }
    }
}

// The whole K loop, double-buffered: while stage kb is multiplied, stage kb + 1 is in flight.
// `rows` (shared, BM entries) maps tile rows to rows of A, -1 for padding.
template <int NB, bool A_FLOAT>
__device__ __forceinline__ void main_loop(const void* a, int lda, const int* rows, const bf16* const* w, int n0,
                                          int N, int K, Stages<NB>& s, Accumulators<NB>& acc) {
#pragma unroll
    for (int nb = 0; nb < NB; nb++)
#pragma unroll
        for (int mi = 0; mi < 2; mi++)
#pragma unroll
            for (int ni = 0; ni < 4; ni++)
#pragma unroll
                for (int q = 0; q < 4; q++) acc.c[nb][mi][ni][q] = 0.f;

    int stages = (K + BK - 1) / BK;
    FloatAStage next;
    if (A_FLOAT) {
        next.load(static_cast<const float*>(a), lda, rows, 0, K);
        next.store(s.a[0]);
    } else {
        copy_stage_async(s.a[0], static_cast<const bf16*>(a), lda, rows, 0, K);
    }
#pragma unroll
    for (int nb = 0; nb < NB; nb++) copy_weight_stage_async(s.b[nb][0], w[nb], n0, N, K, 0);
    commit_async();

    for (int kb = 0; kb < stages; kb++) {
        int current = kb & 1;
        bool more = kb + 1 < stages;
        if (more) {
            int k0 = (kb + 1) * BK;
            if (A_FLOAT) {
                next.load(static_cast<const float*>(a), lda, rows, k0, K);
            } else {
                copy_stage_async(s.a[current ^ 1], static_cast<const bf16*>(a), lda, rows, k0, K);
            }
#pragma unroll
            for (int nb = 0; nb < NB; nb++) copy_weight_stage_async(s.b[nb][current ^ 1], w[nb], n0, N, K, k0);
            commit_async();
            wait_async<1>();  // all but the group just issued: stage `current` has landed
        } else {
            wait_async<0>();
        }
        __syncthreads();
        mma_stage<NB>(s, current, acc);
        if (A_FLOAT && more) {
            // Stage current ^ 1 was last read in iteration kb - 1, which ended with a barrier.
            next.store(s.a[current ^ 1]);
        }
        __syncthreads();  // nobody overwrites stage `current` (next iteration's copies) while it is read
    }
}

// Calls f(row, col, first, last) for each pair of adjacent accumulator columns this thread holds:
// row and col are tile-relative (col is even), first and last point at the pair's two values in the
// first and the last of the NB matrices (the same one when NB is 1; gate and up for the SwiGLU).
template <int NB, typename F>
__device__ __forceinline__ void for_each_pair(const Accumulators<NB>& acc, F f) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
#pragma unroll
    for (int mi = 0; mi < 2; mi++)
#pragma unroll
        for (int ni = 0; ni < 4; ni++)
#pragma unroll
            for (int half = 0; half < 2; half++) {
                int row = (warp >> 1) * 32 + mi * 16 + (lane >> 2) + half * 8;
                int col = (warp & 1) * 32 + ni * 8 + 2 * (lane & 3);
                f(row, col, &acc.c[0][mi][ni][2 * half], &acc.c[NB - 1][mi][ni][2 * half]);
            }
}

}  // namespace tc
