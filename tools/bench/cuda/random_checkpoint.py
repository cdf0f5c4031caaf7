#!/usr/bin/env python3
"""Writes a random-weight checkpoint of any supported family (DeepSeek-V3 / Kimi K2, Qwen3-MoE, Mixtral,
OLMoE; bf16, the Hugging Face layout that MoeModel and tools/reference read) of any size, streaming:
one tensor in memory at a time, so
a 16B-parameter model needs no more host memory than its largest tensor. Values are made on the GPU
with torch when it is there (fast), else from random bits with numpy; the numbers only need to be
varied, not trained, for speed measurements (routing still spreads over experts).

  random_checkpoint.py --config tools/bench/moonlight-shape.json --out DIR [--seed 5] [--shard-gb 4]
                       [--layers N]   the config's shape at another depth (num_hidden_layers = N)
                       [--print-bytes] only print the checkpoint's size in bytes
"""
import argparse
import json
import math
import os
import struct
import sys


def tensors(c):
    """(name, shape, dtype, kind) in file order; kind says how to fill it."""
    if c.get("model_type") in ("qwen3_moe", "mixtral", "olmoe"):
        return grouped_query_tensors(c)
    hidden, heads = c["hidden_size"], c["num_attention_heads"]
    nope, rope, v, rank = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"], c["kv_lora_rank"]
    out = [("model.embed_tokens.weight", (c["vocab_size"], hidden), "BF16", "embed")]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out += [(p + "input_layernorm.weight", (hidden,), "BF16", "norm"),
                (p + "post_attention_layernorm.weight", (hidden,), "BF16", "norm")]
        a = p + "self_attn."
        if c.get("q_lora_rank"):
            out += [(a + "q_a_proj.weight", (c["q_lora_rank"], hidden), "BF16", "linear"),
                    (a + "q_a_layernorm.weight", (c["q_lora_rank"],), "BF16", "norm"),
                    (a + "q_b_proj.weight", (heads * (nope + rope), c["q_lora_rank"]), "BF16", "linear")]
        else:
            out.append((a + "q_proj.weight", (heads * (nope + rope), hidden), "BF16", "linear"))
        out += [(a + "kv_a_proj_with_mqa.weight", (rank + rope, hidden), "BF16", "linear"),
                (a + "kv_a_layernorm.weight", (rank,), "BF16", "norm"),
                (a + "kv_b_proj.weight", (heads * (nope + v), rank), "BF16", "linear"),
                (a + "o_proj.weight", (hidden, heads * v), "BF16", "linear")]
        m = p + "mlp."
        moe = i >= c.get("first_k_dense_replace", 3) and i % c.get("moe_layer_freq", 1) == 0
        if moe:
            experts, width = c["n_routed_experts"], c["moe_intermediate_size"]
            out.append((m + "gate.weight", (experts, hidden), "BF16", "linear"))
            if c.get("topk_method", "noaux_tc") == "noaux_tc":
                out.append((m + "gate.e_score_correction_bias", (experts,), "F32", "bias"))
            for e in range(experts):
                out += [(m + f"experts.{e}.gate_proj.weight", (width, hidden), "BF16", "linear"),
                        (m + f"experts.{e}.up_proj.weight", (width, hidden), "BF16", "linear"),
                        (m + f"experts.{e}.down_proj.weight", (hidden, width), "BF16", "linear")]
            if c.get("n_shared_experts"):
                sw = width * c["n_shared_experts"]
                out += [(m + "shared_experts.gate_proj.weight", (sw, hidden), "BF16", "linear"),
                        (m + "shared_experts.up_proj.weight", (sw, hidden), "BF16", "linear"),
                        (m + "shared_experts.down_proj.weight", (hidden, sw), "BF16", "linear")]
        else:
            width = c["intermediate_size"]
            out += [(m + "gate_proj.weight", (width, hidden), "BF16", "linear"),
                    (m + "up_proj.weight", (width, hidden), "BF16", "linear"),
                    (m + "down_proj.weight", (hidden, width), "BF16", "linear")]
    out.append(("model.norm.weight", (hidden,), "BF16", "norm"))
    if not c.get("tie_word_embeddings"):
        out.append(("lm_head.weight", (c["vocab_size"], hidden), "BF16", "linear"))
    return out


def grouped_query_tensors(c):
    """The layout of Qwen3-MoE, Mixtral and OLMoE (modeling_qwen3_moe / _mixtral / _olmoe)."""
    family = c["model_type"]
    hidden, heads = c["hidden_size"], c["num_attention_heads"]
    kv_heads = c.get("num_key_value_heads", heads)
    hd = c.get("head_dim") or hidden // heads
    experts = c["num_local_experts"] if family == "mixtral" else c["num_experts"]
    width = c["moe_intermediate_size"] if family == "qwen3_moe" else c["intermediate_size"]
    prefix, gate, up, down = ("block_sparse_moe.", "w1", "w3", "w2") if family == "mixtral" else \
        ("mlp.", "gate_proj", "up_proj", "down_proj")
    out = [("model.embed_tokens.weight", (c["vocab_size"], hidden), "BF16", "embed")]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        a = p + "self_attn."
        out += [(p + "input_layernorm.weight", (hidden,), "BF16", "norm"),
                (p + "post_attention_layernorm.weight", (hidden,), "BF16", "norm"),
                (a + "q_proj.weight", (heads * hd, hidden), "BF16", "linear"),
                (a + "k_proj.weight", (kv_heads * hd, hidden), "BF16", "linear"),
                (a + "v_proj.weight", (kv_heads * hd, hidden), "BF16", "linear"),
                (a + "o_proj.weight", (hidden, heads * hd), "BF16", "linear")]
        if family == "qwen3_moe":
            out += [(a + "q_norm.weight", (hd,), "BF16", "norm"), (a + "k_norm.weight", (hd,), "BF16", "norm")]
        elif family == "olmoe":
            out += [(a + "q_norm.weight", (heads * hd,), "BF16", "norm"),
                    (a + "k_norm.weight", (kv_heads * hd,), "BF16", "norm")]
        dense = family == "qwen3_moe" and (i in (c.get("mlp_only_layers") or [])
                                           or (i + 1) % c.get("decoder_sparse_step", 1) != 0)
        if dense:
            m, w = p + "mlp.", c["intermediate_size"]
            out += [(m + "gate_proj.weight", (w, hidden), "BF16", "linear"),
                    (m + "up_proj.weight", (w, hidden), "BF16", "linear"),
                    (m + "down_proj.weight", (hidden, w), "BF16", "linear")]
            continue
        m = p + prefix
        out.append((m + "gate.weight", (experts, hidden), "BF16", "linear"))
        for e in range(experts):
            out += [(m + f"experts.{e}.{gate}.weight", (width, hidden), "BF16", "linear"),
                    (m + f"experts.{e}.{up}.weight", (width, hidden), "BF16", "linear"),
                    (m + f"experts.{e}.{down}.weight", (hidden, width), "BF16", "linear")]
    out.append(("model.norm.weight", (hidden,), "BF16", "norm"))
    if not c.get("tie_word_embeddings"):
        out.append(("lm_head.weight", (c["vocab_size"], hidden), "BF16", "linear"))
    return out


def numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


class Filler:
    """Raw little-endian bytes of one tensor."""

    def __init__(self, seed):
        try:
            import torch
            self.torch = torch
            self.device = "cuda" if torch.cuda.is_available() else "cpu"
            self.generator = torch.Generator(device=self.device).manual_seed(seed)
        except ImportError:
            import numpy
            self.torch = None
            self.numpy = numpy
            self.rng = numpy.random.default_rng(seed)

    def bytes(self, shape, dtype, kind):
        n = numel(shape)
        scale = {"embed": 1.0, "norm": 0.1, "bias": 0.1}.get(kind, 1.0 / math.sqrt(shape[-1]))
        if self.torch is not None:
            t = self.torch
            # uniform with the standard deviation of N(0, scale^2): sqrt(3) * scale
            x = (t.rand(n, generator=self.generator, device=self.device) * 2 - 1) * (math.sqrt(3) * scale)
            if kind == "norm":
                x = x + 1
            if kind == "bias":
                x = x.abs() - 0.02
            if dtype == "BF16":
                return x.to(t.bfloat16).view(t.int16).cpu().numpy().tobytes()
            return x.to(t.float32).cpu().numpy().tobytes()
        np = self.numpy
        if dtype == "F32" or kind == "norm":
            x = self.rng.uniform(-math.sqrt(3) * scale, math.sqrt(3) * scale, n).astype(np.float32)
            if kind == "norm":
                x += 1
            if dtype == "F32":
                return x.tobytes()
            return (x.view(np.uint32) >> 16).astype(np.uint16).tobytes()
        # bf16 straight from random bits: random sign and mantissa, exponents within 4 binades of the scale
        bits = self.rng.integers(0, 1 << 16, n, dtype=np.uint16)
        top = 127 + math.floor(math.log2(math.sqrt(3) * scale))
        exponent = (top - (bits >> 8) % 4).astype(np.uint16)
        return ((bits & 0x807F) | (exponent << 7)).astype(np.uint16).tobytes()


def write(out_dir, config, seed, shard_bytes):
    os.makedirs(out_dir, exist_ok=True)
    entries = tensors(config)
    shards, current, size = [], [], 0
    for e in entries:
        b = numel(e[1]) * (4 if e[2] == "F32" else 2)
        if current and size + b > shard_bytes:
            shards.append(current)
            current, size = [], 0
        current.append(e)
        size += b
    shards.append(current)
    filler = Filler(seed)
    weight_map = {}
    total = 0
    for s, part in enumerate(shards):
        name = f"model-{s + 1:05d}-of-{len(shards):05d}.safetensors"
        header, offset = {}, 0
        for t, shape, dtype, _ in part:
            b = numel(shape) * (4 if dtype == "F32" else 2)
            header[t] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + b]}
            offset += b
        raw = json.dumps(header, separators=(",", ":")).encode()
        raw += b" " * ((8 - len(raw) % 8) % 8)
        with open(os.path.join(out_dir, name + ".part"), "wb") as f:
            f.write(struct.pack("<Q", len(raw)))
            f.write(raw)
            for t, shape, dtype, kind in part:
                f.write(filler.bytes(shape, dtype, kind))
                weight_map[t] = name
        os.replace(os.path.join(out_dir, name + ".part"), os.path.join(out_dir, name))
        total += offset
        print(f"{name}: {offset / 2**30:.1f} GiB", file=sys.stderr)
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)  # last: a directory with config.json is complete
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--shard-gb", type=float, default=4.0)
    ap.add_argument("--layers", type=int, help="num_hidden_layers to use instead of the config's")
    ap.add_argument("--print-bytes", action="store_true", help="print the checkpoint's size and write nothing")
    args = ap.parse_args()
    config = json.load(open(args.config))
    if args.layers:
        config["num_hidden_layers"] = args.layers
    if args.print_bytes:
        print(sum(numel(s) * (4 if d == "F32" else 2) for _, s, d, _ in tensors(config)))
        return
    total = write(args.out, config, args.seed, int(args.shard_gb * 2**30))
    params = sum(numel(s) for _, s, _, _ in tensors(config))
    print(json.dumps({"out": args.out, "parameters": params, "bytes": total}))


if __name__ == "__main__":
    main()
