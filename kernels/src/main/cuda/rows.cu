// Row-wise and element-wise operations of the forward pass: the embedding gather, RMSNorm (alone
// and fused with the residual add), the residual add, SwiGLU's gate, and the gather of logit rows.
// One block per row for the row-wise ones; activations are float32 [rows, cols], row-major.
#include "common.cuh"

// out[t] = table[tokens[t]], widened to float. Grid: one block per token.
template <typename W>
__device__ void embed(float* __restrict__ out, const int* __restrict__ tokens, const W* __restrict__ table,
                      int cols) {
    const W* row = table + (size_t)tokens[blockIdx.x] * cols;
    float* o = out + (size_t)blockIdx.x * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        o[c] = widen(row[c]);
    }
}

#define EMBED(T, SUFFIX)                                                                              \
    extern "C" __global__ void embed_##SUFFIX(float* out, const int* tokens, const T* table, int cols) { \
        embed<T>(out, tokens, table, cols);                                                            \
    }
FOR_EACH_WEIGHT_TYPE(EMBED)

// out = x * gamma / sqrt(mean(x^2) + eps), row by row; out may be x (each thread rewrites only the
// columns it read itself, after the reduction). Grid: one block per row.
extern "C" __global__ void rms_norm(float* out, const float* x, const float* __restrict__ gamma, float eps,
                                    int cols) {
    __shared__ float scratch[32];
    const float* in = x + (size_t)blockIdx.x * cols;
    float* o = out + (size_t)blockIdx.x * cols;
    float sum = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = in[c];
        sum += v * v;
    }
    float total = block_sum(sum, scratch);
    float inverse = 1.f / sqrtf(total / cols + eps);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        o[c] = gamma[c] * (in[c] * inverse);
    }
}

// The residual step of every decoder layer: residual += delta; out = rmsnorm(residual) * gamma.
// Fused so the residual row is read once from memory for both. Grid: one block per row.
extern "C" __global__ void add_rms_norm(float* residual, const float* __restrict__ delta, float* out,
                                        const float* __restrict__ gamma, float eps, int cols) {
    __shared__ float scratch[32];
    float* r = residual + (size_t)blockIdx.x * cols;
    const float* d = delta + (size_t)blockIdx.x * cols;
    float* o = out + (size_t)blockIdx.x * cols;
    float sum = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        float v = r[c] + d[c];
        r[c] = v;
        sum += v * v;
    }
    float total = block_sum(sum, scratch);
    float inverse = 1.f / sqrtf(total / cols + eps);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        o[c] = gamma[c] * (r[c] * inverse);
    }
}

// residual += delta over n elements. Grid-stride.
extern "C" __global__ void add_inplace(float* residual, const float* __restrict__ delta, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        residual[i] += delta[i];
    }
}

// SwiGLU's gate in place: gate = silu(gate) * up over n elements. Grid-stride.
extern "C" __global__ void silu_mul_inplace(float* gate, const float* __restrict__ up, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        gate[i] = silu_mul(gate[i], up[i]);
    }
}

// out[i] = x[rows[i]]: the rows whose logits are wanted. Grid: one block per output row.
extern "C" __global__ void gather_rows(float* __restrict__ out, const float* __restrict__ x,
                                       const int* __restrict__ rows, int cols) {
    const float* in = x + (size_t)rows[blockIdx.x] * cols;
    float* o = out + (size_t)blockIdx.x * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        o[c] = in[c];
    }
}
