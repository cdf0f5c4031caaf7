// Multi-head Latent Attention in the absorbed form of DeepSeek's inference code, over the paged
// latent cache. A cache page is float32 [layer][slot][latent + rope] (HostKvCache's layout), pages of
// a sequence found through its page table; kv_cache.cu writes the entries.
//
//   mla_absorb_query   q_latent[t, h] = W_UK[h]^T q_nope[t, h]
//   mla_attend         softmax((q_latent . latent + q_rope . key_rope) * scale) . latent, online
//                      softmax over chunks of the cache; optionally split along the sequence
//   mla_attend_combine merges the splits (flash-decoding)
//
// Every head of a token reads the same cache entries (MLA's keys and values are one latent per
// position), so a block takes 16 query rows, (token, head) pairs of one sequence, and each chunk
// of the cache loaded into shared memory serves all 16.
#include "common.cuh"

constexpr int ABSORB_TOKENS = 8;
constexpr int ABSORB_THREADS = 128;

// q_latent[t, h * L + c] = sum_i q[t, h * (nope + rope) + i] * kv_b[(h * (nope + value) + i) * L + c].
// Grid: (ceil(L / 128), heads, ceil(tokens / 8)); block 128. Dynamic shared memory: 8 * nope floats.
template <typename W>
__device__ void absorb_query(float* __restrict__ q_latent, const float* __restrict__ q, const W* __restrict__ kv_b,
                             int tokens, int heads, int nope, int rope, int value, int latent) {
    extern __shared__ float q_nope[];  // [8][nope]
    int h = blockIdx.y;
    int t0 = blockIdx.z * ABSORB_TOKENS;
    int count = min(ABSORB_TOKENS, tokens - t0);
    int q_width = heads * (nope + rope);
    for (int i = threadIdx.x; i < ABSORB_TOKENS * nope; i += blockDim.x) {
        int r = i / nope;
        q_nope[i] = r < count ? q[(size_t)(t0 + r) * q_width + h * (nope + rope) + i % nope] : 0.f;
    }
    __syncthreads();
    int c = blockIdx.x * ABSORB_THREADS + threadIdx.x;
    if (c >= latent) {
        return;
    }
    float acc[ABSORB_TOKENS];
#pragma unroll
    for (int r = 0; r < ABSORB_TOKENS; r++) acc[r] = 0.f;
    const W* w = kv_b + (size_t)h * (nope + value) * latent + c;
    for (int i = 0; i < nope; i++) {
        float wv = widen(w[(size_t)i * latent]);
#pragma unroll
        for (int r = 0; r < ABSORB_TOKENS; r++) acc[r] += q_nope[r * nope + i] * wv;
    }
#pragma unroll
    for (int r = 0; r < ABSORB_TOKENS; r++) {
        if (r < count) q_latent[(size_t)(t0 + r) * heads * latent + h * latent + c] = acc[r];
    }
}

#define ABSORB(T, SUFFIX)                                                                                   \
    extern "C" __global__ void __launch_bounds__(ABSORB_THREADS) mla_absorb_query_##SUFFIX(                 \
        float* q_latent, const float* q, const T* kv_b, int tokens, int heads, int nope, int rope, int value, \
        int latent) {                                                                                       \
        absorb_query<T>(q_latent, q, kv_b, tokens, heads, nope, rope, value, latent);                       \
    }
FOR_EACH_WEIGHT_TYPE(ABSORB)

constexpr int ATTEND_ROWS = 16;     // (token, head) query rows per block
constexpr int ATTEND_CHUNK = 16;    // cache positions per shared-memory chunk
constexpr int ATTEND_THREADS = 256; // = ATTEND_ROWS * ATTEND_CHUNK: one score per thread

// Grid: (tiles, ceil(heads / heads_per_group), splits); block 256. tiles[2i], tiles[2i+1]: first
// token and token count of tile i (consecutive tokens of one sequence, count * heads_per_group <= 16).
// Split z covers cache positions [z * split_len, (z + 1) * split_len) of the tile's context. With one
// split the normalised result goes to out [tokens, heads * latent]; with more, each split writes its
// running max, sum and unnormalised accumulator for mla_attend_combine.
// Dynamic shared memory (floats): 16 * entry + 16 * (entry | 1) + 16 * 16 + 16 * latent + 48,
// AttentionPlan.sharedBytes.
extern "C" __global__ void __launch_bounds__(ATTEND_THREADS)
    mla_attend(float* __restrict__ out, float* __restrict__ part_max, float* __restrict__ part_sum,
               float* __restrict__ part_acc, const float* __restrict__ q_latent, const float* __restrict__ q,
               const float* __restrict__ cache, const int* __restrict__ positions,
               const int* __restrict__ sequence_of_token, const int* __restrict__ page_table_start,
               const int* __restrict__ page_table, const int* __restrict__ tiles, int tokens, int heads, int nope,
               int rope, int latent, int layer, int layers, int page_size, int heads_per_group, int split_len,
               int splits, float scale) {
    extern __shared__ float smem[];
    __shared__ int row_token[ATTEND_ROWS];
    __shared__ int row_head[ATTEND_ROWS];
    __shared__ int row_position[ATTEND_ROWS];
    const int entry = latent + rope;
    const int stride = entry | 1;  // odd: the 16 positions a warp reads at one offset fall in 16 banks
    float* query = smem;                              // [16][entry]
    float* kv = query + ATTEND_ROWS * entry;          // [16][stride]
    float* score = kv + ATTEND_CHUNK * stride;        // [16][16]
    float* acc = score + ATTEND_ROWS * ATTEND_CHUNK;  // [16][latent]
    float* run_max = acc + ATTEND_ROWS * latent;      // [16]
    float* run_sum = run_max + ATTEND_ROWS;           // [16]
    float* rescale = run_sum + ATTEND_ROWS;           // [16]

    int first = tiles[2 * blockIdx.x];
    int count = tiles[2 * blockIdx.x + 1];
    int head0 = blockIdx.y * heads_per_group;
    int group = min(heads_per_group, heads - head0);
    int rows = count * group;
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    if (threadIdx.x < ATTEND_ROWS) {
        int r = threadIdx.x;
        bool real = r < rows;
        row_token[r] = real ? first + r / group : first;
        row_head[r] = real ? head0 + r % group : head0;
        row_position[r] = real ? positions[first + r / group] : -1;  // -1: masks every position
        run_max[r] = -CUDART_INF_F;
        run_sum[r] = 0.f;
    }
    __syncthreads();

    int context = positions[first + count - 1] + 1;  // a tile's tokens ascend in position
    int begin = blockIdx.z * split_len;
    int end = min(context, begin + split_len);
    const int* table = page_table + page_table_start[sequence_of_token[first]];

    for (int i = threadIdx.x; i < ATTEND_ROWS * latent; i += blockDim.x) acc[i] = 0.f;
    for (int r = warp; r < ATTEND_ROWS; r += ATTEND_THREADS / 32) {
        const float* ql = q_latent + (size_t)row_token[r] * heads * latent + row_head[r] * latent;
        const float* qr = q + (size_t)row_token[r] * heads * (nope + rope) + row_head[r] * (nope + rope) + nope;
        for (int i = lane; i < entry; i += 32) {
            query[r * entry + i] = r < rows ? (i < latent ? ql[i] : qr[i - latent]) : 0.f;
        }
    }

    for (int c0 = begin; c0 < end; c0 += ATTEND_CHUNK) {
        __syncthreads();  // the previous chunk is fully consumed (and the query rows are written)
        for (int j = warp; j < ATTEND_CHUNK; j += ATTEND_THREADS / 32) {
            int p = c0 + j;
            if (p < end) {
                const float* e = cache + cache_entry_offset(table[p / page_size], layer, layers, page_size, p % page_size, entry);
                for (int i = lane; i < entry; i += 32) kv[j * stride + i] = e[i];
            } else {
                for (int i = lane; i < entry; i += 32) kv[j * stride + i] = 0.f;
            }
        }
        __syncthreads();
        {
            int r = threadIdx.x / ATTEND_CHUNK;
            int j = threadIdx.x % ATTEND_CHUNK;
            int p = c0 + j;
            float s = -CUDART_INF_F;
            if (r < rows && p < end && p <= row_position[r]) {
                float dot = 0.f;
                const float* qr = query + r * entry;
                const float* kr = kv + j * stride;
                for (int i = 0; i < entry; i++) dot += qr[i] * kr[i];
                s = dot * scale;
            }
            score[r * ATTEND_CHUNK + j] = s;
        }
        __syncthreads();
        if (threadIdx.x < ATTEND_ROWS) {
            online_softmax_chunk(score + threadIdx.x * ATTEND_CHUNK, ATTEND_CHUNK, threadIdx.x, run_max, run_sum, rescale);
        }
        __syncthreads();
        for (int i = threadIdx.x; i < rows * latent; i += blockDim.x) {
            int r = i / latent;
            int c = i % latent;
            const float* sr = score + r * ATTEND_CHUNK;
            float a = acc[i] * rescale[r];
#pragma unroll
            for (int j = 0; j < ATTEND_CHUNK; j++) a += sr[j] * kv[j * stride + c];
            acc[i] = a;
        }
    }
    __syncthreads();

    for (int i = threadIdx.x; i < rows * latent; i += blockDim.x) {
        int r = i / latent;
        int c = i % latent;
        size_t row = (size_t)row_token[r] * heads + row_head[r];
        if (splits == 1) {
            out[row * latent + c] = acc[i] / run_sum[r];
        } else {
            size_t part = (size_t)blockIdx.z * tokens * heads + row;
            part_acc[part * latent + c] = acc[i];
            if (c == 0) {
                part_max[part] = run_max[r];
                part_sum[part] = run_sum[r];
            }
        }
    }
}

// out[t, h] = sum_z exp(m_z - M) acc_z / sum_z exp(m_z - M) l_z over the splits of (t, h).
// Grid: (tokens, heads); block 128.
extern "C" __global__ void mla_attend_combine(float* __restrict__ out, const float* __restrict__ part_max,
                                              const float* __restrict__ part_sum, const float* __restrict__ part_acc,
                                              int tokens, int heads, int latent, int splits) {
    size_t row = (size_t)blockIdx.x * heads + blockIdx.y;
    size_t per_split = (size_t)tokens * heads;
    float max = -CUDART_INF_F;
    for (int z = 0; z < splits; z++) max = fmaxf(max, part_max[z * per_split + row]);
    float denominator = 0.f;
    for (int z = 0; z < splits; z++) {
        float m = part_max[z * per_split + row];
        if (m != -CUDART_INF_F) denominator += expf(m - max) * part_sum[z * per_split + row];
    }
    for (int c = threadIdx.x; c < latent; c += blockDim.x) {
        float sum = 0.f;
        for (int z = 0; z < splits; z++) {
            float m = part_max[z * per_split + row];
            if (m != -CUDART_INF_F) sum += expf(m - max) * part_acc[(z * per_split + row) * latent + c];
        }
        out[row * latent + c] = sum / denominator;
    }
}
