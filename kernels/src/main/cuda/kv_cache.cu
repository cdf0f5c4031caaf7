// Writes into the paged KV cache, for every attention family: a cache entry is [first | second]
// (MLA's latent and rope key, or grouped-query attention's keys and values), HostKvCache's layout.
//
//   kv_store   the step's entries into their page slots
#include "common.cuh"

// cache entry of token t = [first[t] | second[t]] at (pages[t], slots[t]). Grid: one block per token.
extern "C" __global__ void kv_store(float* __restrict__ cache, const float* __restrict__ first,
                                    const float* __restrict__ second, const int* __restrict__ pages,
                                    const int* __restrict__ slots, int layer, int layers, int page_size,
                                    int first_width, int second_width) {
    int t = blockIdx.x;
    int entry = first_width + second_width;
    float* e = cache + cache_entry_offset(pages[t], layer, layers, page_size, slots[t], entry);
    for (int c = threadIdx.x; c < entry; c += blockDim.x) {
        e[c] = c < first_width ? first[(size_t)t * first_width + c] : second[(size_t)t * second_width + c - first_width];
    }
}
