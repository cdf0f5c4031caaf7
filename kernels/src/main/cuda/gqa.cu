// Grouped-query attention (Qwen3-MoE, Mixtral, OLMoE) over the paged cache. A cache page is float32
// [layer][slot][entry] (HostKvCache's layout) with entry = [k head 0 .. k head G-1 | v head 0 .. v head G-1],
// the rotated keys then the values, each head head_dim wide; the pages of a sequence are found
// through its page table. The entries are written by kv_store (kv_cache.cu), which stores [first | second]
// rows of any widths.
//
//   gqa_attend   out[t, h] = softmax((q[t, h] . k[p, g]) * scale) . v[p, g] over p <= position(t),
//                g = h / (heads / kv_heads), with an online softmax over chunks of the cache
//
// One block per (token, key/value head): the group's query heads share every key and value chunk
// loaded into shared memory.
#include "common.cuh"

constexpr int GQA_CHUNK = 16;     // cache positions per shared-memory chunk
constexpr int GQA_THREADS = 128;

// Grid: (tokens, kv_heads); block 128. Dynamic shared memory (floats), GqaPlan.sharedBytes:
// group * head_dim (queries) + 16 * (head_dim | 1) (keys) + 16 * head_dim (values) + group * 16 (scores)
// + group * head_dim (accumulators) + 3 * group (running max, sum, rescale).
extern "C" __global__ void __launch_bounds__(GQA_THREADS)
    gqa_attend(float* __restrict__ out, const float* __restrict__ q, const float* __restrict__ cache,
               const int* __restrict__ positions, const int* __restrict__ sequence_of_token,
               const int* __restrict__ page_table_start, const int* __restrict__ page_table, int heads,
               int kv_heads, int head_dim, int layer, int layers, int page_size, float scale) {
    extern __shared__ float smem[];
    const int t = blockIdx.x;
    const int g = blockIdx.y;
    const int group = heads / kv_heads;
    const int stride = head_dim | 1;  // odd: the 16 positions read at one offset fall in different banks
    const int entry = 2 * kv_heads * head_dim;
    float* query = smem;                           // [group][head_dim]
    float* keys = query + group * head_dim;        // [16][stride]
    float* values = keys + GQA_CHUNK * stride;     // [16][head_dim]
    float* score = values + GQA_CHUNK * head_dim;  // [group][16]
    float* acc = score + group * GQA_CHUNK;        // [group][head_dim]
    float* run_max = acc + group * head_dim;       // [group]
    float* run_sum = run_max + group;              // [group]
    float* rescale = run_sum + group;              // [group]

    const int position = positions[t];
    const int* table = page_table + page_table_start[sequence_of_token[t]];
    const float* q_row = q + (size_t)t * heads * head_dim + (size_t)g * group * head_dim;
    for (int i = threadIdx.x; i < group * head_dim; i += blockDim.x) {
        query[i] = q_row[i];
        acc[i] = 0.f;
    }
    if (threadIdx.x < group) {
        run_max[threadIdx.x] = -CUDART_INF_F;
        run_sum[threadIdx.x] = 0.f;
    }

    for (int c0 = 0; c0 <= position; c0 += GQA_CHUNK) {
        __syncthreads();  // the previous chunk is consumed; the queries are written
        for (int i = threadIdx.x; i < GQA_CHUNK * head_dim; i += blockDim.x) {
            int j = i / head_dim;
            int c = i % head_dim;
            int p = c0 + j;
            float k = 0.f;
            float v = 0.f;
            if (p <= position) {
                const float* e = cache + (((size_t)table[p / page_size] * layers + layer) * page_size + p % page_size) * entry;
                k = e[g * head_dim + c];
                v = e[kv_heads * head_dim + g * head_dim + c];
            }
            keys[j * stride + c] = k;
            values[j * head_dim + c] = v;
        }
        __syncthreads();
        for (int i = threadIdx.x; i < group * GQA_CHUNK; i += blockDim.x) {
            int r = i / GQA_CHUNK;
            int j = i % GQA_CHUNK;
            float s = -CUDART_INF_F;
            if (c0 + j <= position) {
                float dot = 0.f;
                for (int c = 0; c < head_dim; c++) dot += query[r * head_dim + c] * keys[j * stride + c];
                s = dot * scale;
            }
            score[i] = s;
        }
        __syncthreads();
        if (threadIdx.x < group) {
            online_softmax_chunk(score + threadIdx.x * GQA_CHUNK, GQA_CHUNK, threadIdx.x, run_max, run_sum, rescale);
        }
        __syncthreads();
        for (int i = threadIdx.x; i < group * head_dim; i += blockDim.x) {
            int r = i / head_dim;
            int c = i % head_dim;
            const float* sr = score + r * GQA_CHUNK;
            float a = acc[i] * rescale[r];
#pragma unroll
            for (int j = 0; j < GQA_CHUNK; j++) a += sr[j] * values[j * head_dim + c];
            acc[i] = a;
        }
    }
    __syncthreads();
    float* o = out + (size_t)t * heads * head_dim + (size_t)g * group * head_dim;
    for (int i = threadIdx.x; i < group * head_dim; i += blockDim.x) {
        o[i] = acc[i] / run_sum[i / head_dim];
    }
}
