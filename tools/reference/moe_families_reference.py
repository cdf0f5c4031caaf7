#!/usr/bin/python3
"""Independent PyTorch reference for the grouped-query MoE families: Qwen3-MoE, Mixtral, OLMoE.

Written from Hugging Face transformers' modeling_qwen3_moe.py, modeling_mixtral.py and
modeling_olmoe.py, sharing no code with the Java engine. It

  make     writes a random-weight checkpoint in each family's Hugging Face layout (config.json plus
           one or several .safetensors files with model.safetensors.index.json);
  golden   runs a prompt through the model, then greedy decode steps through a KV cache, and writes
           {"tokens", "greedy", "logits"} -- the JSON contract of `moe-batch logits`;
  bench    times prefill and greedy decode at several batch sizes (the side-by-side of BENCHMARKS.md).

The model runs in float64 on the stored weights (bf16 ones widened exactly). Attention is the plain
eager form (keys and values repeated per query group, a causal mask); the MoE is HF's loop over
experts. What the families differ in:

  qwen3_moe  q_norm / k_norm: RMSNorm over each head's head_dim before RoPE; softmax router, top-k,
             renormalised when norm_topk_prob; a dense MLP on mlp_only_layers and where
             (layer + 1) % decoder_sparse_step != 0; experts mlp.experts.E.{gate,up,down}_proj
  mixtral    no q/k norm; softmax router, top-k, always renormalised; experts
             block_sparse_moe.experts.E.{w1 (gate), w3 (up), w2 (down)}
  olmoe      q_norm / k_norm: RMSNorm over the whole q and k projections; softmax router, top-k,
             renormalised only when norm_topk_prob

Every family rotates queries and keys with RoPE in halves (rotate_half) over the whole head.
Run with Debian's python3-torch:
    /usr/bin/python3 tools/reference/moe_families_reference.py golden --model DIR --tokens 1,2,3 --steps 8
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deepseek_v3_reference import (add_golden_and_bench, golden_or_bench, read_checkpoint,  # noqa: E402  I/O, loops
                                   to_bf16_bits, write_safetensors)


def family_of(c):
    t = c["model_type"]
    assert t in ("qwen3_moe", "mixtral", "olmoe"), t
    return t


def head_dim(c):
    return c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]


def experts_of(c):
    return c["num_local_experts"] if family_of(c) == "mixtral" else c["num_experts"]


def is_moe_layer(c, i):
    if family_of(c) != "qwen3_moe":
        return True
    return i not in (c.get("mlp_only_layers") or []) and experts_of(c) > 0 and (i + 1) % c.get("decoder_sparse_step", 1) == 0


def expert_names(c):
    """(module prefix, gate, up, down) of a layer's experts."""
    if family_of(c) == "mixtral":
        return "block_sparse_moe.", "w1", "w3", "w2"
    return "mlp.", "gate_proj", "up_proj", "down_proj"


def expert_width(c):
    return c["moe_intermediate_size"] if family_of(c) == "qwen3_moe" else c["intermediate_size"]


# ---------------------------------------------------------------------------------------------
# random checkpoints


def make_checkpoint(out_dir, c, dtype, seed, shards):
    g = torch.Generator().manual_seed(seed)
    hidden, heads, kv_heads, hd = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], head_dim(c)
    family = family_of(c)

    def linear(out_f, in_f):
        return torch.randn(out_f, in_f, generator=g) / math.sqrt(in_f)

    def norm(n):
        return 1.0 + 0.1 * torch.randn(n, generator=g)

    t = {"model.embed_tokens.weight": torch.randn(c["vocab_size"], hidden, generator=g)}
    prefix, gate_name, up_name, down_name = expert_names(c)
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = norm(hidden)
        t[p + "post_attention_layernorm.weight"] = norm(hidden)
        a = p + "self_attn."
        t[a + "q_proj.weight"] = linear(heads * hd, hidden)
        t[a + "k_proj.weight"] = linear(kv_heads * hd, hidden)
        t[a + "v_proj.weight"] = linear(kv_heads * hd, hidden)
        t[a + "o_proj.weight"] = linear(hidden, heads * hd)
        if c.get("attention_bias"):
            for name, n in (("q_proj", heads * hd), ("k_proj", kv_heads * hd), ("v_proj", kv_heads * hd), ("o_proj", hidden)):
                t[a + name + ".bias"] = 0.1 * torch.randn(n, generator=g)
        if family == "qwen3_moe":
            t[a + "q_norm.weight"] = norm(hd)
            t[a + "k_norm.weight"] = norm(hd)
        elif family == "olmoe":
            t[a + "q_norm.weight"] = norm(heads * hd)
            t[a + "k_norm.weight"] = norm(kv_heads * hd)
        if is_moe_layer(c, i):
            m = p + prefix
            n, width = experts_of(c), expert_width(c)
            t[m + "gate.weight"] = linear(n, hidden)
            for e in range(n):
                x = f"{m}experts.{e}."
                t[x + gate_name + ".weight"] = linear(width, hidden)
                t[x + up_name + ".weight"] = linear(width, hidden)
                t[x + down_name + ".weight"] = linear(hidden, width)
        else:
            m = p + "mlp."
            t[m + "gate_proj.weight"] = linear(c["intermediate_size"], hidden)
            t[m + "up_proj.weight"] = linear(c["intermediate_size"], hidden)
            t[m + "down_proj.weight"] = linear(hidden, c["intermediate_size"])
    t["model.norm.weight"] = norm(hidden)
    if not c.get("tie_word_embeddings"):
        t["lm_head.weight"] = linear(c["vocab_size"], hidden)

    stored = {}
    for name, v in t.items():
        stored[name] = ("BF16", to_bf16_bits(v)) if dtype == "BF16" else ("F32", v.numpy().astype(np.float32))
    os.makedirs(out_dir, exist_ok=True)
    json.dump(c, open(os.path.join(out_dir, "config.json"), "w"), indent=2)
    names = list(stored)
    if shards == 1:
        write_safetensors(os.path.join(out_dir, "model.safetensors"), stored)
        return
    weight_map = {}
    per = math.ceil(len(names) / shards)
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: stored[n] for n in names[s * per:(s + 1) * per]}
        write_safetensors(os.path.join(out_dir, file), part)
        weight_map.update({n: file for n in part})
    json.dump({"metadata": {}, "weight_map": weight_map}, open(os.path.join(out_dir, "model.safetensors.index.json"), "w"),
              indent=2)


# ---------------------------------------------------------------------------------------------
# the model


class Reference:
    def __init__(self, model_dir, dtype=torch.float64):
        self.c = json.load(open(os.path.join(model_dir, "config.json")))
        self.family = family_of(self.c)
        self.w = {k: v.to(dtype) for k, v in read_checkpoint(model_dir).items()}
        c = self.c
        self.hd = head_dim(c)
        self.eps = c.get("rms_norm_eps", 1e-6 if self.family == "qwen3_moe" else 1e-5)
        base = c.get("rope_theta", 1e6 if self.family == "mixtral" else 10000.0)
        # HF's default RoPE: inv_freq in float32, the angle position * inv_freq in float32.
        self.inv_freq = 1.0 / (base ** (torch.arange(0, self.hd, 2, dtype=torch.int64).float() / self.hd))
        self.dtype = dtype

    def rms_norm(self, x, weight):
        variance = x.pow(2).mean(-1, keepdim=True)
        return weight * (x * torch.rsqrt(variance + self.eps))

    def linear(self, x, name):
        y = x @ self.w[name + ".weight"].T
        b = self.w.get(name + ".bias")
        return y if b is None else y + b

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def cos_sin(self, positions):
        freqs = positions.float()[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(self.dtype), emb.sin().to(self.dtype)

    def attention(self, i, x, cos, sin, cache, start):
        c = self.c
        a = f"model.layers.{i}.self_attn."
        heads, kv_heads, hd = c["num_attention_heads"], c["num_key_value_heads"], self.hd
        b, s, _ = x.shape
        q = self.linear(x, a + "q_proj")
        k = self.linear(x, a + "k_proj")
        v = self.linear(x, a + "v_proj")
        if self.family == "olmoe":  # over the whole projection, before the split into heads
            q = self.rms_norm(q, self.w[a + "q_norm.weight"])
            k = self.rms_norm(k, self.w[a + "k_norm.weight"])
        q = q.view(b, s, heads, hd)
        k = k.view(b, s, kv_heads, hd)
        v = v.view(b, s, kv_heads, hd)
        if self.family == "qwen3_moe":  # per head
            q = self.rms_norm(q, self.w[a + "q_norm.weight"])
            k = self.rms_norm(k, self.w[a + "k_norm.weight"])
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # [b, heads, s, hd]
        q = q * cos[None, None] + self.rotate_half(q) * sin[None, None]
        k = k * cos[None, None] + self.rotate_half(k) * sin[None, None]
        if i in cache:
            k = torch.cat([cache[i][0], k], dim=2)
            v = torch.cat([cache[i][1], v], dim=2)
        cache[i] = (k, v)
        group = heads // kv_heads
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        scores = q @ k.transpose(2, 3) * hd ** -0.5
        total = k.shape[2]
        mask = torch.full((s, total), float("-inf"), dtype=self.dtype).triu(start + 1)
        probs = torch.softmax(scores + mask, dim=-1)
        out = (probs @ v).transpose(1, 2).reshape(b, s, heads * hd)
        return self.linear(out, a + "o_proj")

    def mlp(self, x, p, gate="gate_proj", up="up_proj", down="down_proj"):
        return self.linear(torch.nn.functional.silu(self.linear(x, p + gate)) * self.linear(x, p + up), p + down)

    def moe(self, i, x):
        c = self.c
        prefix, gate, up, down = expert_names(c)
        m = f"model.layers.{i}.{prefix}"
        flat = x.reshape(-1, x.shape[-1])
        probs = torch.softmax(flat @ self.w[m + "gate.weight"].T, dim=-1)
        weights, chosen = torch.topk(probs, c["num_experts_per_tok"], dim=-1)
        if self.family == "mixtral" or c.get("norm_topk_prob", False):
            weights = weights / weights.sum(dim=-1, keepdim=True)
        out = torch.zeros_like(flat)
        for e in range(experts_of(c)):
            rows, slot = torch.where(chosen == e)
            if len(rows):
                y = self.mlp(flat[rows], f"{m}experts.{e}.", gate, up, down)
                out.index_add_(0, rows, y * weights[rows, slot, None])
        return out.view(x.shape)

    def forward(self, tokens, cache, start):
        c = self.c
        h = self.w["model.embed_tokens.weight"][tokens]
        cos, sin = self.cos_sin(torch.arange(start, start + tokens.shape[1]))
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            h = h + self.attention(i, self.rms_norm(h, self.w[p + "input_layernorm.weight"]), cos, sin, cache, start)
            x = self.rms_norm(h, self.w[p + "post_attention_layernorm.weight"])
            h = h + (self.moe(i, x) if is_moe_layer(c, i) else self.mlp(x, p + "mlp."))
        h = self.rms_norm(h, self.w["model.norm.weight"])
        head = self.w["model.embed_tokens.weight"] if c.get("tie_word_embeddings") else self.w["lm_head.weight"]
        return h @ head.T


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make", help="write a random checkpoint")
    mk.add_argument("--config", required=True, help="config.json to use")
    mk.add_argument("--out", required=True)
    mk.add_argument("--dtype", choices=["F32", "BF16"], default="F32")
    mk.add_argument("--seed", type=int, default=0)
    mk.add_argument("--shards", type=int, default=1)
    add_golden_and_bench(sub)
    a = ap.parse_args()
    if a.cmd == "make":
        make_checkpoint(a.out, json.load(open(a.config)), a.dtype, a.seed, a.shards)
    else:
        golden_or_bench(a, Reference)


if __name__ == "__main__":
    sys.exit(main())
