"""A trainable DeepSeek-V3 / Kimi K2 model in PyTorch, with the semantics of moe-batch's reference
(tools/reference/deepseek_v3_reference.py, itself from HF transformers' modeling_deepseek_v3.py and
DeepSeek-V3's inference code): MLA with q-LoRA, YaRN RoPE on the rope part of heads (interleaved, as
DeepSeek-V3 stores q_pe and k_pe), sigmoid routing with e_score_correction_bias used to choose experts
but not to weight them, normalised top-k weights times routed_scaling_factor, one shared expert,
dense first layer(s). Parameter names are the Hugging Face checkpoint's.

Training feeds one shared prefix (the tool declarations every dialogue starts with) once per step:
its keys and values are broadcast to every row, which saves two thirds of the compute.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


class RmsNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def yarn_mscale(scale, mscale):
    return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0


class Rope:
    """cos/sin of YaRN RoPE for the rope part of the heads, and the softmax scale it implies."""

    def __init__(self, c):
        dim, theta = c["qk_rope_head_dim"], c["rope_theta"]
        rs = c["rope_scaling"]
        pos_freqs = theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim)
        factor, original = rs["factor"], rs["original_max_position_embeddings"]

        def correction_dim(rot):
            return dim * math.log(original / (rot * 2 * math.pi)) / (2 * math.log(theta))

        low = max(math.floor(correction_dim(rs["beta_fast"])), 0)
        high = min(math.ceil(correction_dim(rs["beta_slow"])), dim - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
        extrapolation = 1 - ramp
        self.inv_freq = (1.0 / (factor * pos_freqs)) * (1 - extrapolation) + (1.0 / pos_freqs) * extrapolation
        self.attention_factor = yarn_mscale(factor, rs["mscale"]) / yarn_mscale(factor, rs["mscale_all_dim"])
        m = yarn_mscale(factor, rs["mscale_all_dim"])
        self.softmax_scale = (c["qk_nope_head_dim"] + dim) ** -0.5 * m * m

    def at(self, start, length):
        freqs = torch.arange(start, start + length).float()[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos() * self.attention_factor, emb.sin() * self.attention_factor


def rotate(x, cos, sin):
    """RoPE on interleaved pairs (DeepSeek-V3's layout): de-interleave, then rotate halves."""
    shape = x.shape
    x = x.reshape(*shape[:-1], shape[-1] // 2, 2).transpose(-1, -2).reshape(shape)
    x1, x2 = x[..., : shape[-1] // 2], x[..., shape[-1] // 2:]
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


class MlaAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        hidden, self.heads = c["hidden_size"], c["num_attention_heads"]
        self.nope, self.rope, self.v, self.rank = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"], c["kv_lora_rank"]
        self.q_a_proj = nn.Linear(hidden, c["q_lora_rank"], bias=False)
        self.q_a_layernorm = RmsNorm(c["q_lora_rank"], 1e-6)
        self.q_b_proj = nn.Linear(c["q_lora_rank"], self.heads * (self.nope + self.rope), bias=False)
        self.kv_a_proj_with_mqa = nn.Linear(hidden, self.rank + self.rope, bias=False)
        self.kv_a_layernorm = RmsNorm(self.rank, 1e-6)
        self.kv_b_proj = nn.Linear(self.rank, self.heads * (self.nope + self.v), bias=False)
        self.o_proj = nn.Linear(self.heads * self.v, hidden, bias=False)

    def forward(self, x, cos, sin, scale, prefix=None):
        """x [B, T, hidden]; prefix: (key, value) [1, heads, P, d] of a shared prefix before every row."""
        B, T, _ = x.shape
        q = self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x))).view(B, T, self.heads, -1).transpose(1, 2)
        q_nope, q_pe = q[..., : self.nope], q[..., self.nope:]
        compressed = self.kv_a_proj_with_mqa(x)
        latent, k_pe = compressed[..., : self.rank], compressed[..., self.rank:]
        kv = self.kv_b_proj(self.kv_a_layernorm(latent)).view(B, T, self.heads, -1).transpose(1, 2)
        k_nope, value = kv[..., : self.nope], kv[..., self.nope:]
        q_pe = rotate(q_pe, cos, sin)
        k_pe = rotate(k_pe.view(B, 1, T, self.rope), cos, sin)
        query = torch.cat((q_nope, q_pe), dim=-1)
        key = torch.cat((k_nope, k_pe.expand(B, self.heads, T, self.rope)), dim=-1)
        own = (key, value)
        P = 0
        if prefix is not None:
            P = prefix[0].shape[2]
            key = torch.cat((prefix[0].expand(B, -1, -1, -1), key), dim=2)
            value = torch.cat((prefix[1].expand(B, -1, -1, -1), value), dim=2)
        scores = (query @ key.transpose(-1, -2)) * scale
        allowed = torch.arange(P + T)[None, :] <= (P + torch.arange(T))[:, None]
        scores = scores.masked_fill(~allowed, float("-inf"))
        out = (torch.softmax(scores, dim=-1) @ value).transpose(1, 2).reshape(B, T, -1)
        return self.o_proj(out), own


class Mlp(nn.Module):
    def __init__(self, hidden, width):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, width, bias=False)
        self.up_proj = nn.Linear(hidden, width, bias=False)
        self.down_proj = nn.Linear(width, hidden, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Gate(nn.Module):
    def __init__(self, hidden, experts):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(experts, hidden))
        nn.init.normal_(self.weight, std=hidden ** -0.5)
        # Not learnt by gradients: DeepSeek-V3's auxiliary-loss-free balancing nudges it after each step.
        self.register_buffer("e_score_correction_bias", torch.zeros(experts))


class MoeBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        hidden, width = c["hidden_size"], c["moe_intermediate_size"]
        self.k, self.scaling = c["num_experts_per_tok"], c["routed_scaling_factor"]
        self.gate = Gate(hidden, c["n_routed_experts"])
        self.experts = nn.ModuleList(Mlp(hidden, width) for _ in range(c["n_routed_experts"]))
        self.shared_experts = Mlp(hidden, width * c["n_shared_experts"])
        self.last_load = None

    def forward(self, flat):
        """flat [N, hidden]. Route -> group tokens by expert -> one product per expert -> weighted sum -> shared expert."""
        scores = torch.sigmoid(flat @ self.gate.weight.T)
        # DeepSeek-V3 gate: the correction bias chooses experts but does not weight them
        idx = (scores.detach() + self.gate.e_score_correction_bias).topk(self.k, dim=-1)[1]
        weights = scores.gather(1, idx)
        weights = weights / (weights.sum(-1, keepdim=True) + 1e-20) * self.scaling
        # group the (token, slot) pairs by expert once; each expert then multiplies one contiguous slice
        order = idx.flatten().argsort(stable=True)
        token = order // self.k
        counts = torch.bincount(idx.flatten(), minlength=len(self.experts))
        grouped = flat[token]
        outs = [expert(part) for expert, part in zip(self.experts, grouped.split(counts.tolist())) if part.shape[0]]
        routed = torch.cat(outs) * weights.flatten()[order].unsqueeze(-1)
        out = torch.zeros_like(flat).index_add(0, token, routed)
        self.last_load = counts
        return out + self.shared_experts(flat)


class DecoderLayer(nn.Module):
    def __init__(self, c, moe):
        super().__init__()
        eps = c["rms_norm_eps"]
        self.input_layernorm = RmsNorm(c["hidden_size"], eps)
        self.self_attn = MlaAttention(c)
        self.post_attention_layernorm = RmsNorm(c["hidden_size"], eps)
        self.mlp = MoeBlock(c) if moe else Mlp(c["hidden_size"], c["intermediate_size"])
        self.moe = moe


class TinyK2(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.rope = Rope(c)
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        # tied, the matrix also makes the logits, which want a small scale at the start
        nn.init.normal_(self.embed_tokens.weight, std=c["hidden_size"] ** -0.5 if c["tie_word_embeddings"] else 1.0)
        self.layers = nn.ModuleList(DecoderLayer(c, i >= c["first_k_dense_replace"]) for i in range(c["num_hidden_layers"]))
        self.norm = RmsNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        if c["tie_word_embeddings"]:
            # One matrix in and out, as the config allows. Tried to help copying rare tokens (numbers); the
            # checked-in run is untied, as a tied one chose tools worse (docs/BENCHMARKS.md).
            self.lm_head.weight = self.embed_tokens.weight

    def forward(self, prefix, rows=None):
        """prefix [P] token ids shared by every row, rows [B, T] (or None): logits of the rows
        [B, T, vocab], or of the prefix [1, P, vocab] when there are no rows."""
        P = prefix.shape[0]
        hp = self.embed_tokens(prefix)[None]
        cos_p, sin_p = self.rope.at(0, P)
        hs = None
        if rows is not None:
            hs = self.embed_tokens(rows)
            cos_s, sin_s = self.rope.at(P, rows.shape[1])
        scale = self.rope.softmax_scale
        for layer in self.layers:
            a, kv = layer.self_attn(layer.input_layernorm(hp), cos_p, sin_p, scale)
            hp = hp + a
            if hs is not None:
                a, _ = layer.self_attn(layer.input_layernorm(hs), cos_s, sin_s, scale, prefix=kv)
                hs = hs + a
            # the feed-forward is per token: prefix and rows go through it as one flat batch
            parts = [hp] if hs is None else [hp, hs]
            flat = torch.cat([p.reshape(-1, p.shape[-1]) for p in parts])
            f = layer.mlp(layer.post_attention_layernorm(flat))
            hp = hp + f[:P].view_as(hp)
            if hs is not None:
                hs = hs + f[P:].view_as(hs)
        h = hp if hs is None else hs
        return self.lm_head(self.norm(h))

    def moe_layers(self):
        return [l.mlp for l in self.layers if l.moe]

    def hf_state(self):
        """name -> float32 tensor, with the checkpoint's names."""
        out = {}
        for name, t in self.state_dict().items():
            if name == "lm_head.weight" and self.c["tie_word_embeddings"]:
                continue  # a tied checkpoint has no lm_head
            if name.startswith(("embed_tokens", "layers", "norm")):
                name = "model." + name
            out[name] = t.detach().float().contiguous()
        return out
