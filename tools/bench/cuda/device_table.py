#!/usr/bin/env python3
"""The short table at the end of kernels/device-check.sh, from the JSON its steps left in DIR:
ceilings (torch_ceilings.py), the grouped expert GEMM sweep (GroupedGemmBench), decode of the
Moonlight-shaped model (moe-batch bench --json, transformers_decode.py), the gpu-tagged test counts
and the steps' outcomes. What a step did not produce is shown as skipped, never guessed.

Decode roofline: the bytes one decode step must read from HBM, over the measured copy bandwidth.
Bytes = every non-routed weight once (attention, dense MLP, shared experts, router, lm_head; bf16),
the routed experts a step touches (the expected number of distinct experts when each of `batch`
tokens picks k of E uniformly: E (1 - (1 - k/E)^batch) per layer), and the float32 latent cache of
every row at the mean context of the run (prompt + gen/2).

  device_table.py DIR CONFIG PROMPT_LEN GEN_LEN
"""
import json
import os
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def decode_bytes(c, batch, context):
    if c.get("model_type") in ("qwen3_moe", "mixtral", "olmoe"):
        return grouped_query_decode_bytes(c, batch, context)
    h, heads = c["hidden_size"], c["num_attention_heads"]
    nope, rope, v, rank = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"], c["kv_lora_rank"]
    if c.get("q_lora_rank"):
        q = c["q_lora_rank"] * h + heads * (nope + rope) * c["q_lora_rank"]
    else:
        q = heads * (nope + rope) * h
    attention = q + (rank + rope) * h + heads * (nope + v) * rank + h * heads * v
    layers = c["num_hidden_layers"]
    dense_layers = min(layers, c.get("first_k_dense_replace", 3))
    moe_layers = layers - dense_layers
    e, k, width = c["n_routed_experts"], c["num_experts_per_tok"], c["moe_intermediate_size"]
    active = e * (1 - (1 - k / e) ** batch)
    params = layers * attention + dense_layers * 3 * h * c["intermediate_size"]
    params += moe_layers * (e * h + 3 * h * width * c.get("n_shared_experts", 0) + active * 3 * h * width)
    params += c["vocab_size"] * h  # lm_head (the embedding reads only the batch's rows)
    cache = layers * batch * context * (rank + rope) * 4
    return 2 * params + cache


def grouped_query_decode_bytes(c, batch, context):
    """Bytes one decode step of `batch` rows reads: every weight it touches once, plus the cache."""
    h, heads = c["hidden_size"], c["num_attention_heads"]
    kv_heads = c.get("num_key_value_heads", heads)
    hd = c.get("head_dim") or h // heads
    mixtral = c["model_type"] == "mixtral"
    e = c["num_local_experts"] if mixtral else c["num_experts"]
    width = c["moe_intermediate_size"] if c["model_type"] == "qwen3_moe" else c["intermediate_size"]
    k = c["num_experts_per_tok"]
    layers = c["num_hidden_layers"]
    active = e * (1 - (1 - k / e) ** batch)
    attention = 2 * heads * hd * h + 2 * kv_heads * hd * h
    params = layers * (attention + e * h + active * 3 * h * width) + c["vocab_size"] * h
    cache = layers * batch * context * 2 * kv_heads * hd * 4
    return 2 * params + cache


def main():
    out, config_path, prompt, gen = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    config = load(config_path)
    ceilings = load(os.path.join(out, "ceilings.json"))
    tests = load(os.path.join(out, "gpu-tests.json"))
    moe = load(os.path.join(out, "moe-bench.json"))
    hf = load(os.path.join(out, "transformers.json"))
    gemm = []
    try:
        with open(os.path.join(out, "gemm.jsonl")) as f:
            gemm = [json.loads(line) for line in f if line.startswith("{")]
    except OSError:
        pass

    print("\n## device-check results\n")
    if os.path.exists(os.path.join(out, "device.txt")):
        print("device: " + open(os.path.join(out, "device.txt")).read().strip() + "\n")
    print("| step | outcome | seconds | note |\n|---|---|---|---|")
    try:
        for line in open(os.path.join(out, "steps.tsv")):
            name, outcome, seconds, note = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
            print(f"| {name} | {outcome} | {seconds} | {note} |")
    except OSError:
        pass

    print("\n### gpu-tagged tests\n")
    if tests:
        print(f"{tests['tests']} run, {tests['failures']} failed, {tests['errors']} errors, {tests['skipped']} skipped "
              f"({', '.join(tests.get('classes', []))})")
    else:
        print("skipped: no test reports")

    print("\n### ceilings (the device's PyTorch)\n")
    copy = ceilings["copy_gb_per_s"] if ceilings else None
    peak = ceilings["bf16_tflops"] if ceilings else None
    if ceilings:
        print(f"| device-to-device copy | {copy} GB/s (read + write) |\n|---|---|\n| bf16 matmul (cuBLAS) | {peak} TFLOP/s |")
    else:
        print("skipped: torch with CUDA not available")

    print("\n### grouped expert GEMM, Kimi K2's expert shape (7168 -> 2048 -> 7168, 384 experts, top-8), bf16\n")
    if gemm:
        print("| tokens | default path | ms / layer | TFLOP/s | share of bf16 ceiling | other path TFLOP/s | weight GB/s |")
        print("|---|---|---|---|---|---|---|")
        by_tokens = {}
        for row in gemm:
            by_tokens.setdefault(row["tokens"], []).append(row)
        for tokens in sorted(by_tokens):
            rows = by_tokens[tokens]
            chosen = next((r for r in rows if r["default"]), rows[0])
            other = next((r for r in rows if r is not chosen), None)
            share = f"{100 * chosen['tflops'] / peak:.0f}%" if peak else "-"
            print(f"| {tokens} | {chosen['path']} | {chosen['ms']:.3f} | {chosen['tflops']:.1f} | {share} | "
                  f"{other['tflops'] if other else '-'} ({other['path'] if other else ''}) | {chosen['weight_gb_per_s']:.0f} |")
    else:
        print("skipped: no GEMM results")

    print("\n### decode, Moonlight-16B-A3B shape (random bf16 weights), prompt "
          f"{prompt}, {gen} generated tokens\n")
    if moe or hf:
        print("| batch | moe-batch step ms | moe-batch tokens/s | share of HBM roofline | transformers tokens/s | ratio |")
        print("|---|---|---|---|---|---|")
        batches = sorted({r["batch"] for r in (moe or {}).get("results", [])} | {r["batch"] for r in (hf or {}).get("results", [])})
        for b in batches:
            m = next((r for r in (moe or {}).get("results", []) if r["batch"] == b), None)
            t = next((r for r in (hf or {}).get("results", []) if r["batch"] == b), None)
            step_ms = b / m["decode_tokens_per_s"] * 1e3 if m and m["decode_tokens_per_s"] else None
            roof = ""
            if step_ms and copy and config:
                roofline_ms = decode_bytes(config, b, prompt + gen // 2) / (copy * 1e9) * 1e3
                roof = f"{100 * roofline_ms / step_ms:.0f}% ({roofline_ms:.2f} ms)"
            ratio = f"{m['decode_tokens_per_s'] / t['decode_tokens_per_s']:.2f}x" if m and t else "-"
            print(f"| {b} | {f'{step_ms:.2f}' if step_ms else '-'} | {m['decode_tokens_per_s'] if m else '-'} | "
                  f"{roof or '-'} | {t['decode_tokens_per_s'] if t else '-'} | {ratio} |")
    else:
        print("skipped: no decode results")


if __name__ == "__main__":
    main()
