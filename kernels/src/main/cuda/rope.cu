// Rotary position embedding of the rope part of MLA's queries and keys, YaRN included: the cos and
// sin tables ([tokens, dim / 2], attention factor folded in) are computed on the host by
// RotaryEmbedding.tables exactly as the CPU backends use them, and uploaded once per step.
#include "common.cuh"

// Rotates in place, for every token and each of `heads` heads of width `head_width`, the `dim`
// elements at `rope_offset`. Interleaved (DeepSeek's complex view) rotates (x[2i], x[2i+1]) and
// stores the result de-interleaved, [x'0, x'2, ..., x'1, x'3, ...], as Hugging Face's
// rope_interleave path returns it; otherwise (x[i], x[i + dim/2]) are rotated in place.
//
// Products are rounded separately (__fmul_rn) so no multiply-add is contracted: the result is then
// bit-for-bit that of RotaryEmbedding.rotate on the host, which the cached keys must agree with.
//
// Grid: one block per token. Dynamic shared memory: heads * dim floats, the token's rope parts read
// before any is written, because the interleaved output overwrites inputs of other pairs.
extern "C" __global__ void rope_inplace(float* x, const float* __restrict__ cos_table,
                                        const float* __restrict__ sin_table, int cols, int heads, int head_width,
                                        int rope_offset, int dim, int interleaved) {
    extern __shared__ float saved[];  // [heads][dim]
    int t = blockIdx.x;
    int half = dim / 2;
    float* row = x + (size_t)t * cols + rope_offset;
    for (int i = threadIdx.x; i < heads * dim; i += blockDim.x) {
        int h = i / dim;
        saved[i] = row[h * head_width + i % dim];
    }
    __syncthreads();
    const float* cos_row = cos_table + (size_t)t * half;
    const float* sin_row = sin_table + (size_t)t * half;
    for (int i = threadIdx.x; i < heads * half; i += blockDim.x) {
        int h = i / half;
        int p = i % half;
        float c = cos_row[p];
        float s = sin_row[p];
        float a = interleaved ? saved[h * dim + 2 * p] : saved[h * dim + p];
        float b = interleaved ? saved[h * dim + 2 * p + 1] : saved[h * dim + half + p];
        float* head = row + h * head_width;
        head[p] = __fsub_rn(__fmul_rn(a, c), __fmul_rn(b, s));
        head[half + p] = __fadd_rn(__fmul_rn(b, c), __fmul_rn(a, s));
    }
}
