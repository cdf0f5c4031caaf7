#!/usr/bin/env python3
"""The numbers of docs/CAPACITY.md: Kimi K2 on H100 and H200 nodes, from its config and stated
assumptions. Run: /usr/bin/python3 tools/capacity/k2_capacity.py  (no dependencies)."""

# Kimi K2 (config.json of moonshotai/Kimi-K2-Instruct)
HIDDEN, LAYERS, DENSE_LAYERS = 7168, 61, 1
EXPERTS, TOP_K, SHARED = 384, 8, 1
MOE_I, DENSE_I = 2048, 18432
HEADS, Q_LORA, KV_LORA, NOPE, ROPE, V = 64, 1536, 512, 128, 64, 128
VOCAB = 163840
MOE_LAYERS = LAYERS - DENSE_LAYERS

expert = 3 * HIDDEN * MOE_I
attention = (HIDDEN * Q_LORA + Q_LORA * HEADS * (NOPE + ROPE) + HIDDEN * (KV_LORA + ROPE)
             + KV_LORA * HEADS * (NOPE + V) + HEADS * V * HIDDEN)
routed = EXPERTS * expert * MOE_LAYERS
shared = SHARED * expert * MOE_LAYERS
dense_mlp = 3 * HIDDEN * DENSE_I * DENSE_LAYERS
attn_all = attention * LAYERS
emb = VOCAB * HIDDEN  # embedding and lm_head each
total = routed + shared + dense_mlp + attn_all + 2 * emb
active = TOP_K * expert * MOE_LAYERS + shared + dense_mlp + attn_all + emb  # lm_head read; embedding is a lookup

G = 1e9
print(f"parameters: total {total / G:.0f} B, active per token {active / G:.1f} B")
print(f"  routed experts {routed / G:.1f} B ({expert / 1e6:.1f} M each), attention {attn_all / G:.2f} B, "
      f"shared {shared / G:.2f} B, dense MLP {dense_mlp / G:.2f} B, embedding + lm_head {2 * emb / G:.2f} B")

# Bytes per parameter of each format. FP8: one byte plus an f32 scale per 128x128 block; embeddings,
# lm_head in bf16. INT4 (K2-Thinking): routed experts 4-bit with a bf16 scale per 32, the rest bf16.
FORMATS = {
    "FP8": dict(expert=1 + 4 / (128 * 128), other=1 + 4 / (128 * 128), emb=2),
    "INT4": dict(expert=0.5 + 2 / 32, other=2, emb=2),
}
KV_PER_TOKEN = (KV_LORA + ROPE) * 2 * LAYERS  # MLA latent + rope key, bf16, every layer
GPUS = {"H100 SXM 80GB": dict(mem=85.5e9, bw=3.35e12), "H200 SXM 141GB": dict(mem=150.7e9, bw=4.8e12)}
RESERVE = 4e9  # CUDA context, kernels, activations of a step, allocator slack per GPU
print(f"MLA KV cache: {KV_PER_TOKEN / 1e3:.1f} KB per token (bf16); per sequence: "
      + ", ".join(f"{c // 1024}k {c * KV_PER_TOKEN / G:.2f} GB" for c in (4096, 32768, 131072)))

def weights(fmt):
    f = FORMATS[fmt]
    experts = routed * f["expert"]
    rest = (shared + dense_mlp + attn_all) * f["other"] + 2 * emb * f["emb"]
    return experts, rest

def distinct_experts(batch):
    """Expected experts a layer touches when `batch` tokens each pick TOP_K of EXPERTS uniformly."""
    return EXPERTS * (1 - (1 - TOP_K / EXPERTS) ** batch)

rows = []
for fmt in FORMATS:
    experts, rest = weights(fmt)
    print(f"\n{fmt}: weights {(experts + rest) / G:.0f} GB (routed experts {experts / G:.0f}, everything else {rest / G:.1f})")
    for gpu, g in GPUS.items():
        # the fewest GPUs of one engine that hold the weights and one 4k sequence's KV cache
        need = next(n for n in range(1, 65) if g["mem"] - RESERVE - (experts / n + rest) >= 4096 * KV_PER_TOKEN)
        print(f"  {gpu}: at least {need} GPUs per engine" + ("" if need <= 8 else
              " (more than one 8-GPU node: expert parallelism across nodes, which moe-batch does not do)"))
        n = 8
        per = experts / n
        first = per + rest  # moe-batch's expert parallelism: the first GPU holds all but the routed experts
        kv_budget = g["mem"] - RESERVE - first
        fits = kv_budget > 0 and g["mem"] - RESERVE - per > 0
        print(f"  8x {gpu}: experts {per / G:.1f} GB per GPU, first GPU {first / G:.1f} GB of {g['mem'] / G:.1f}: "
              + (f"fits, KV budget {kv_budget / G:.1f} GB on the first GPU" if fits else
                 f"does NOT fit, short by {-kv_budget / G:.1f} GB on the first GPU"))
        if not fits:
            continue
        for ctx in (4096, 32768, 131072):
            seqs = int(kv_budget // (ctx * KV_PER_TOKEN))
            print(f"    {ctx // 1024:>3}k context: {seqs} sequences in the KV budget")
        expert_bytes = experts / (routed) * expert  # bytes of one expert
        for ctx, batch in ((4096, 1), (4096, 8), (4096, None)):
            b = batch or max(1, int(kv_budget // (ctx * KV_PER_TOKEN)))
            touched = distinct_experts(b) * MOE_LAYERS * expert_bytes
            # per layer: the first GPU reads the dense part and the KV cache, then all GPUs read their experts
            # in parallel (evenly spread: the expectation; at batch 1 the busiest GPU holds ~2x its share)
            imbalance = 2.0 if b == 1 else 1.15
            kv = b * ctx * KV_PER_TOKEN
            step = (rest + kv) / g["bw"] + touched / n * imbalance / g["bw"]
            tps = b / step
            rows.append((fmt, gpu, b, ctx, step * 1e3, tps))
            print(f"    batch {b:>3} at {ctx // 1024}k: experts read {touched / G:.0f} GB/step, "
                  f"step >= {step * 1e3:.1f} ms, <= {tps:.0f} tokens/s per node")

# Cost per million output tokens at the roofline, with conf/costs.properties' defaults.
WATTS, PRICE, YEARS, KWH, PUE = 700, 30000, 4, 0.12, 1.3
hour = 8 * (WATTS / 1000 * PUE * KWH + PRICE / (YEARS * 8760))
print(f"\n8-GPU node: ${hour:.2f} per hour (8 x ({WATTS} W x PUE {PUE} x ${KWH}/kWh + ${PRICE} over {YEARS} years))")
for fmt, gpu, b, ctx, step, tps in rows:
    print(f"  {fmt} {gpu} batch {b}: ${hour / (tps * 3600) * 1e6:.2f} per million output tokens at the roofline, "
          f"${hour / (tps * 0.4 * 3600) * 1e6:.2f} at 40% of it")
prefill_flops = 2 * active
for gpu, peak in (("H100 SXM 80GB", 989e12), ("H200 SXM 141GB", 989e12)):
    rate = 8 * peak * 0.4 / prefill_flops
    print(f"  prefill on 8x {gpu} at 40% of bf16 peak: {rate:.0f} tokens/s, ${hour / (rate * 3600) * 1e6:.3f} per million input tokens")
