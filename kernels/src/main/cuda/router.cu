// The MoE gate of DeepSeek-V3 / Kimi K2, fused: scores (sigmoid or softmax), the correction bias
// added for choosing only, group-limited top-k, normalisation, routed_scaling_factor.
//
// It follows Router.select on the host step by step and in the same float operations, so the two
// choose the same experts and agree on the weights to the last bit or two: scores are computed in
// double and rounded once, as Java's Math.exp path does; sums that decide weights run serially in
// expert order on one lane, as Java's loop does; ties go to the lower expert index.
#include "common.cuh"

constexpr int ROUTER_WARPS = 4;  // tokens per block, one warp each

// Grid: ceil(tokens / 4) blocks of 128 threads. Dynamic shared memory per block:
// 4 * (2 * experts + 2 * groups) floats. `bias` may be null. Writes chosen[t * k + j] (best first;
// -1 if no expert was eligible, which the host reports) and weights[t * k + j].
extern "C" __global__ void __launch_bounds__(ROUTER_WARPS * 32)
    route_tokens(const float* __restrict__ logits, const float* __restrict__ bias, int tokens, int experts, int k,
                 int groups, int groups_kept, int use_sigmoid, int normalize, float scaling_factor,
                 int* __restrict__ chosen, float* __restrict__ weights) {
    extern __shared__ float scratch[];
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int t = blockIdx.x * ROUTER_WARPS + warp;
    if (t >= tokens) {
        return;  // a whole warp leaves; the kernel synchronises only within warps
    }
    float* scores = scratch + warp * (2 * experts + 2 * groups);
    float* choice = scores + experts;
    float* group_score = choice + experts;
    float* kept = group_score + groups;
    const float* row = logits + (size_t)t * experts;

    if (use_sigmoid) {
        for (int e = lane; e < experts; e += 32) {
            scores[e] = (float)(1.0 / (1.0 + exp(-(double)row[e])));
        }
    } else {
        float max = -CUDART_INF_F;
        for (int e = lane; e < experts; e += 32) max = fmaxf(max, row[e]);
        max = warp_max(max);
        for (int e = lane; e < experts; e += 32) {
            scores[e] = (float)exp((double)(row[e] - max));
        }
        __syncwarp();
        float sum = 0.f;
        if (lane == 0) {
            for (int e = 0; e < experts; e++) sum += scores[e];
        }
        sum = __shfl_sync(0xffffffffu, sum, 0);
        __syncwarp();
        for (int e = lane; e < experts; e += 32) scores[e] /= sum;
    }
    __syncwarp();
    for (int e = lane; e < experts; e += 32) {
        choice[e] = scores[e] + (bias == nullptr ? 0.f : bias[e]);
    }
    __syncwarp();

    if (groups > 1 && groups_kept < groups) {
        int per_group = experts / groups;
        // DeepSeek-V3 scores a group by its top two biased scores; without a bias, by its best.
        bool top_two = bias != nullptr && per_group >= 2;
        for (int g = lane; g < groups; g += 32) {
            float first = -CUDART_INF_F;
            float second = -CUDART_INF_F;
            for (int i = 0; i < per_group; i++) {
                float c = choice[g * per_group + i];
                if (c > first) {
                    second = first;
                    first = c;
                } else if (c > second) {
                    second = c;
                }
            }
            group_score[g] = top_two ? first + second : first;
        }
        __syncwarp();
        if (lane == 0) {
            for (int g = 0; g < groups; g++) kept[g] = 0.f;
            for (int n = 0; n < groups_kept; n++) {
                int best = -1;
                for (int g = 0; g < groups; g++) {
                    if (kept[g] == 0.f && (best < 0 || group_score[g] > group_score[best])) best = g;
                }
                kept[best] = 1.f;
            }
        }
        __syncwarp();
        for (int e = lane; e < experts; e += 32) {
            if (kept[e / per_group] == 0.f) choice[e] = -CUDART_INF_F;
        }
        __syncwarp();
    }

    float sum = 0.f;
    for (int j = 0; j < k; j++) {
        float best_value = -CUDART_INF_F;
        int best = -1;
        for (int e = lane; e < experts; e += 32) {
            float c = choice[e];
            if (c > best_value) {
                best_value = c;
                best = e;
            }
        }
#pragma unroll
        for (int offset = 16; offset > 0; offset >>= 1) {
            float other_value = __shfl_xor_sync(0xffffffffu, best_value, offset);
            int other = __shfl_xor_sync(0xffffffffu, best, offset);
            if (other_value > best_value || (other_value == best_value && other >= 0 && (best < 0 || other < best))) {
                best_value = other_value;
                best = other;
            }
        }
        if (lane == 0) {
            chosen[t * k + j] = best;
            if (best >= 0) {
                choice[best] = -CUDART_INF_F;
                weights[t * k + j] = scores[best];
                sum += scores[best];
            } else {
                weights[t * k + j] = 0.f;
            }
        }
        __syncwarp();
    }
    if (lane == 0) {
        float denominator = normalize ? sum + 1e-20f : 1.f;
        for (int j = 0; j < k; j++) {
            weights[t * k + j] = weights[t * k + j] / denominator * scaling_factor;
        }
    }
}

// The step's expert-load histogram, one row of (experts + 1) ints per layer; `counts` points at this
// layer's row. Each slot adds one to its expert's entry, or to entry `experts` when it names no
// expert of the layer (-1: route_tokens found none eligible). The host reads every row once per step
// (ExpertHistogram.java says how), instead of copying each layer's routing back and waiting for it.
// Grid: ceil(slots / 256) blocks of 256 threads, one slot each.
extern "C" __global__ void count_experts(const int* __restrict__ chosen, int slots, int experts,
                                         int* __restrict__ counts) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < slots) {
        int e = chosen[i];
        atomicAdd(&counts[(unsigned)e < (unsigned)experts ? e : experts], 1);
    }
}
