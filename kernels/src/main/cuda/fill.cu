// Random device memory for benchmarks: tens of gigabytes of expert weights are made where they are
// used instead of crossing PCIe. Each element is a hash of (seed, index), so a fill is reproducible
// and independent of the launch geometry.
#include "common.cuh"

__device__ __forceinline__ float uniform(unsigned long long seed, unsigned long long index) {
    // splitmix64 finaliser of seed ^ index: well mixed even for consecutive indices
    unsigned long long z = seed ^ (index * 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)(z >> 40) * (1.0f / 16777216.0f) * 2.f - 1.f;  // 24 bits -> [-1, 1)
}

// p[i] = scale * uniform(seed, i), i < n, rounded to bf16. Grid-stride.
extern "C" __global__ void fill_uniform_bf16(bf16* p, long long n, unsigned long long seed, float scale) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        p[i] = __float2bfloat16_rn(scale * uniform(seed, (unsigned long long)i));
    }
}

// p[i] = scale * uniform(seed, i), i < n. Grid-stride.
extern "C" __global__ void fill_uniform_f32(float* p, long long n, unsigned long long seed, float scale) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        p[i] = scale * uniform(seed, (unsigned long long)i);
    }
}
