#!/usr/bin/python3
"""Independent PyTorch reference for the DeepSeek-V3 / Kimi K2 architecture.

Written from Hugging Face transformers' modeling_deepseek_v3.py and DeepSeek-V3's official
inference code, sharing no code with the Java engine. It

  make     writes a random-weight checkpoint in the Hugging Face layout (config.json plus one or
           several .safetensors files with model.safetensors.index.json); when the config has a
           quantization_config, the linear weights are quantised as it says (FP8 E4M3 in blocks
           with weight_scale_inv, or compressed-tensors pack-quantized INT4 groups);
  golden   runs a prompt through the model, then greedy decode steps through a KV cache, and writes
           {"tokens", "greedy", "logits"} -- the JSON contract of `moe-batch logits`;
  bench    times prefill and greedy decode at several batch sizes (the side-by-side of BENCHMARKS.md).

Quantised checkpoints are read by dequantising every weight once, in numpy, by the formats'
definitions (below), and the model then runs in float64 on those float32 values.

Attention here is the plain (non-absorbed) form: keys and values are expanded through kv_b_proj and
cached expanded, as HF does. The MoE is HF's eager loop over experts. Run with Debian's python3-torch:
    /usr/bin/python3 tools/reference/deepseek_v3_reference.py golden --model DIR --tokens 1,2,3 --steps 8
"""
import argparse
import json
import math
import os
import re
import struct
import sys
import time

import numpy as np
import torch

# ---------------------------------------------------------------------------------------------
# safetensors, read and written by hand (Debian has no python3-safetensors)

DTYPES = {"F32": (np.float32, 4), "BF16": (np.uint16, 2), "F16": (np.float16, 2), "F8_E4M3": (np.uint8, 1),
          "I32": (np.int32, 4), "I64": (np.int64, 8)}


def write_safetensors(path, tensors):
    """tensors: dict name -> (dtype string, numpy array of the stored bits/values)."""
    header, offset, blobs = {}, 0, []
    for name, (dtype, array) in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)  # the safetensors library aligns the data to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    """name -> (dtype string, numpy array as stored: float32 for the float types, raw codes otherwise)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        np_type, _ = DTYPES[entry["dtype"]]
        array = np.frombuffer(data[begin:end], dtype=np_type).reshape(entry["shape"])
        if entry["dtype"] == "BF16":
            array = (array.astype(np.uint32) << 16).view(np.float32)
        elif entry["dtype"] == "F16":
            array = array.astype(np.float32)
        out[name] = (entry["dtype"], array.copy())
    return out


def read_checkpoint(model_dir):
    """Every weight as a float32 tensor; quantised ones dequantised as config.json says."""
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        files = sorted(set(json.load(open(index))["weight_map"].values()))
    else:
        files = sorted(f for f in os.listdir(model_dir) if f.endswith(".safetensors"))
    raw = {}
    for f in files:
        raw.update(read_safetensors(os.path.join(model_dir, f)))
    quant = json.load(open(os.path.join(model_dir, "config.json"))).get("quantization_config")
    tensors = {}
    for name, (dtype, array) in raw.items():
        if name.endswith((".weight_scale_inv", ".weight_scale", ".weight_shape")):
            continue
        if dtype == "F8_E4M3":
            block = quant["weight_block_size"]
            scale = raw[name + "_scale_inv"][1]
            tensors[name] = dequantize_fp8(array, scale, block)
        elif name.endswith(".weight_packed"):
            module = name[: -len(".weight_packed")]
            shape = [int(v) for v in raw[module + ".weight_shape"][1]]
            scale = raw[module + ".weight_scale"][1]
            tensors[module + ".weight"] = dequantize_int4(array, scale, shape, group_size_of(quant, module))
        else:
            assert dtype in ("F32", "BF16", "F16"), (name, dtype)
            tensors[name] = array.astype(np.float32)
    return {k: torch.from_numpy(v) for k, v in tensors.items()}


# ---------------------------------------------------------------------------------------------
# quantised formats, by their definitions
#
# FP8 E4M3 is the OCP 8-bit Floating Point Specification's E4M3 (torch.float8_e4m3fn): 1 sign,
# 4 exponent bits of bias 7, 3 mantissa bits, subnormals, no infinities, S.1111.111 = NaN, max 448.
# DeepSeek-V3 / Kimi K2 store one float32 weight_scale_inv per weight_block_size block, and
# dequantise as code * scale_inv (DeepSeek-V3 inference/kernel.py, weight_dequant).
#
# INT4 is compressed-tensors' pack-quantized format (compressors/quantized_compressors/
# pack_quantized.py, pack_to_int32): signed values in [-8, 7] stored as value + 8, eight per int32
# along the row, element 8w + j in bits [4j, 4j + 4) of word w; symmetric groups of group_size
# columns each with one weight_scale, dequantised as value * scale; weight_shape is [out, in].


def e4m3_values():
    """The 256 code values by the formula (NaN for the two NaN codes)."""
    code = np.arange(256)
    sign = np.where(code & 0x80, -1.0, 1.0)
    exponent = (code >> 3) & 0xF
    mantissa = (code & 7).astype(np.float64)
    value = np.where(exponent == 0, mantissa / 8 * 2.0 ** -6, (1 + mantissa / 8) * 2.0 ** (exponent - 7))
    value = sign * value
    value[(exponent == 15) & ((code & 7) == 7)] = np.nan
    return value


def e4m3_encode(x):
    """Nearest E4M3 code to each value (ties to the even code, saturating at +-448)."""
    positive = e4m3_values()[:127]  # codes 0x00..0x7E, increasing
    a = np.minimum(np.abs(x), 448.0)
    hi = np.clip(np.searchsorted(positive, a), 1, 126)
    lo = hi - 1
    d_lo, d_hi = a - positive[lo], positive[hi] - a
    code = np.where((d_hi < d_lo) | ((d_hi == d_lo) & (hi % 2 == 0)), hi, lo)
    return (code | np.where(x < 0, 0x80, 0)).astype(np.uint8)


def blocks_of(shape, block):
    rows, cols = shape
    return -(-rows // block[0]), -(-cols // block[1])


def expand(scale, shape, block):
    """A [ceil(rows / br), ceil(cols / bc)] grid repeated over the [rows, cols] it covers."""
    return np.repeat(np.repeat(scale, block[0], axis=0), block[1], axis=1)[: shape[0], : shape[1]]


def dequantize_fp8(codes, scale_inv, block):
    assert scale_inv.shape == blocks_of(codes.shape, block), (codes.shape, scale_inv.shape, block)
    # one float32 rounding of code * scale, as float32 arithmetic does it
    return e4m3_values()[codes].astype(np.float32) * expand(scale_inv.astype(np.float32), codes.shape, block)


def quantize_fp8(w, block):
    """Per block: scale = amax / 448, codes = nearest E4M3 of w / scale (DeepSeek-V3's weight_quant)."""
    w = w.astype(np.float64)
    grid = blocks_of(w.shape, block)
    scale = np.ones(grid, dtype=np.float32)
    for i in range(grid[0]):
        for j in range(grid[1]):
            amax = np.abs(w[i * block[0]:(i + 1) * block[0], j * block[1]:(j + 1) * block[1]]).max()
            if amax > 0:
                scale[i, j] = np.float32(amax / 448.0)
    codes = e4m3_encode(w / expand(scale, w.shape, block).astype(np.float64))
    return codes, scale


def unpack_int4(words, cols):
    w = words.view(np.uint32)
    nibbles = np.stack([(w >> (4 * j)) & 0xF for j in range(8)], axis=-1).reshape(w.shape[0], -1)
    return nibbles[:, :cols].astype(np.int64) - 8


def pack_int4(values):
    rows, cols = values.shape
    padded = np.zeros((rows, -(-cols // 8) * 8), dtype=np.uint32)
    padded[:, :cols] = (values + 8).astype(np.uint32)
    shifts = (4 * np.arange(8)).astype(np.uint32)
    return (padded.reshape(rows, -1, 8) << shifts).sum(axis=-1, dtype=np.uint32).view(np.int32)


def dequantize_int4(words, scale, shape, group):
    rows, cols = shape
    assert scale.shape == (rows, -(-cols // group)), (shape, scale.shape)
    return unpack_int4(words, cols).astype(np.float32) * expand(scale.astype(np.float32), (rows, cols), (1, group))


def quantize_int4(w, group):
    """Symmetric groups as compressed-tensors computes them: scale = amax / 7.5 (half the int4
    range), rounded to bf16 as the checkpoint stores it; values = round(w / scale) clamped to [-8, 7]."""
    rows, cols = w.shape
    assert cols % group == 0 or cols < group, (w.shape, group)
    g = w.astype(np.float64).reshape(rows, -1, min(group, cols))
    amax = np.abs(g).max(axis=-1)
    scale = bf16_round(np.where(amax > 0, amax / 7.5, 1.0).astype(np.float32))
    values = np.clip(np.round(g / scale[..., None].astype(np.float64)), -8, 7).astype(np.int64).reshape(rows, cols)
    return values, scale


def bf16_round(x):
    return (to_bf16_bits(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))).astype(np.uint32) << 16).view(
        np.float32)


def linear_modules(t):
    """Names of the nn.Linear modules of a checkpoint (the router gate is not one; lm_head is)."""
    return [n[: -len(".weight")] for n in t if n.endswith(("_proj.weight", "kv_a_proj_with_mqa.weight", "lm_head.weight"))]


def ct_match(name, target):
    """compressed-tensors match_name: "re:" patterns with re.match (anchored at the start), else equality."""
    return re.match(target[3:], name) is not None if target.startswith("re:") else target == name


def quantized_modules(t, quant):
    """Which linear modules a quantization_config quantises (FP8: all but lm_head, as DeepSeek-V3 ships)."""
    modules = linear_modules(t)
    if quant["quant_method"] == "fp8":
        return [m for m in modules if m != "lm_head"]
    ignore = quant.get("ignore") or []
    targets = [tg for g in quant["config_groups"].values() for tg in g["targets"]]
    return [m for m in modules if any(tg == "Linear" or ct_match(m, tg) for tg in targets)
            and not any(ig == "Linear" or ct_match(m, ig) for ig in ignore)]


def group_size_of(quant, module):
    groups = list(quant["config_groups"].values())
    for exact in (True, False):
        for g in groups:
            for tg in g["targets"]:
                if (exact and tg == module) or (not exact and tg.startswith("re:") and ct_match(module, tg)):
                    return g["weights"]["group_size"]
    return next(g for g in groups if "Linear" in g["targets"])["weights"]["group_size"]


def to_bf16_bits(t):
    """Round a float32 tensor to bfloat16 (nearest even, as torch does) and return the raw bits."""
    return t.to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)


# ---------------------------------------------------------------------------------------------
# random checkpoints


def make_checkpoint(out_dir, config, dtype, seed, shards, fused_experts):
    g = torch.Generator().manual_seed(seed)
    c = config
    hidden = c["hidden_size"]
    heads = c["num_attention_heads"]
    nope, rope, v = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"]
    rank = c["kv_lora_rank"]

    def linear(out_f, in_f):
        return torch.randn(out_f, in_f, generator=g) / math.sqrt(in_f)

    def norm(n):
        return 1.0 + 0.1 * torch.randn(n, generator=g)

    t = {"model.embed_tokens.weight": torch.randn(c["vocab_size"], hidden, generator=g)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = norm(hidden)
        t[p + "post_attention_layernorm.weight"] = norm(hidden)
        a = p + "self_attn."
        if c.get("q_lora_rank"):
            t[a + "q_a_proj.weight"] = linear(c["q_lora_rank"], hidden)
            t[a + "q_a_layernorm.weight"] = norm(c["q_lora_rank"])
            t[a + "q_b_proj.weight"] = linear(heads * (nope + rope), c["q_lora_rank"])
        else:
            t[a + "q_proj.weight"] = linear(heads * (nope + rope), hidden)
        t[a + "kv_a_proj_with_mqa.weight"] = linear(rank + rope, hidden)
        t[a + "kv_a_layernorm.weight"] = norm(rank)
        t[a + "kv_b_proj.weight"] = linear(heads * (nope + v), rank)
        t[a + "o_proj.weight"] = linear(hidden, heads * v)
        if c.get("attention_bias"):
            if c.get("q_lora_rank"):
                t[a + "q_a_proj.bias"] = 0.1 * torch.randn(c["q_lora_rank"], generator=g)
            t[a + "kv_a_proj_with_mqa.bias"] = 0.1 * torch.randn(rank + rope, generator=g)
            t[a + "o_proj.bias"] = 0.1 * torch.randn(hidden, generator=g)
        m = p + "mlp."
        if is_moe_layer(c, i):
            experts, width = c["n_routed_experts"], c["moe_intermediate_size"]
            t[m + "gate.weight"] = linear(experts, hidden)
            if c.get("topk_method", "noaux_tc") == "noaux_tc":
                t[m + "gate.e_score_correction_bias"] = 0.1 * torch.rand(experts, generator=g) - 0.02
            gates = [linear(width, hidden) for _ in range(experts)]
            ups = [linear(width, hidden) for _ in range(experts)]
            downs = [linear(hidden, width) for _ in range(experts)]
            if fused_experts:
                t[m + "experts.gate_up_proj"] = torch.stack([torch.cat([gg, u]) for gg, u in zip(gates, ups)])
                t[m + "experts.down_proj"] = torch.stack(downs)
            else:
                for e in range(experts):
                    t[m + f"experts.{e}.gate_proj.weight"] = gates[e]
                    t[m + f"experts.{e}.up_proj.weight"] = ups[e]
                    t[m + f"experts.{e}.down_proj.weight"] = downs[e]
            if c.get("n_shared_experts"):
                sw = width * c["n_shared_experts"]
                t[m + "shared_experts.gate_proj.weight"] = linear(sw, hidden)
                t[m + "shared_experts.up_proj.weight"] = linear(sw, hidden)
                t[m + "shared_experts.down_proj.weight"] = linear(hidden, sw)
        else:
            width = c["intermediate_size"]
            t[m + "gate_proj.weight"] = linear(width, hidden)
            t[m + "up_proj.weight"] = linear(width, hidden)
            t[m + "down_proj.weight"] = linear(hidden, width)
    t["model.norm.weight"] = norm(hidden)
    if not c.get("tie_word_embeddings"):
        t["lm_head.weight"] = linear(c["vocab_size"], hidden)

    stored = {}
    quant = config.get("quantization_config")
    quantized = set(quantized_modules(t, quant)) if quant else set()
    for name, value in t.items():
        module = name[: -len(".weight")] if name.endswith(".weight") else None
        if module in quantized and quant["quant_method"] == "fp8":
            codes, scale = quantize_fp8(value.numpy(), quant["weight_block_size"])
            stored[name] = ("F8_E4M3", codes)
            stored[module + ".weight_scale_inv"] = ("F32", scale)
        elif module in quantized:
            values, scale = quantize_int4(value.numpy(), group_size_of(quant, module))
            stored[module + ".weight_packed"] = ("I32", pack_int4(values))
            stored[module + ".weight_scale"] = ("BF16", to_bf16_bits(torch.from_numpy(scale)))
            stored[module + ".weight_shape"] = ("I64", np.array(value.shape, dtype=np.int64))
        # DeepSeek-V3 keeps the correction bias in float32 even in bf16 checkpoints.
        elif dtype == "BF16" and not name.endswith("e_score_correction_bias"):
            stored[name] = ("BF16", to_bf16_bits(value))
        else:
            stored[name] = ("F32", value.numpy().astype(np.float32))

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    names = list(stored)
    if shards == 1:
        write_safetensors(os.path.join(out_dir, "model.safetensors"), stored)
        return
    per = (len(names) + shards - 1) // shards
    weight_map = {}
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {n: stored[n] for n in names[s * per:(s + 1) * per]}
        write_safetensors(os.path.join(out_dir, file), part)
        weight_map.update({n: file for n in part})
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f, indent=2)


def is_moe_layer(c, i):
    return i >= c.get("first_k_dense_replace", 3) and i % c.get("moe_layer_freq", 1) == 0


# ---------------------------------------------------------------------------------------------
# the reference model


def yarn_get_mscale(scale, mscale):
    return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0


class Reference:
    def __init__(self, model_dir, dtype=torch.float64):
        self.c = c = json.load(open(os.path.join(model_dir, "config.json")))
        self.dtype = dtype
        self.w = {k: v.to(dtype) for k, v in read_checkpoint(model_dir).items()}
        self.heads = c["num_attention_heads"]
        self.nope, self.rope, self.v = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"]
        self.rank = c["kv_lora_rank"]
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.interleave = c.get("rope_interleave", True)
        rs = c.get("rope_scaling") or c.get("rope_parameters")
        theta = c.get("rope_theta", (rs or {}).get("rope_theta", 10000.0))
        dim = self.rope
        # inverse frequencies in float32, as transformers computes them
        pos_freqs = theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim)
        self.attention_factor = 1.0
        self.scale = (self.nope + self.rope) ** -0.5
        kind = (rs or {}).get("rope_type", (rs or {}).get("type", "default"))
        if kind == "yarn":
            factor = rs["factor"]
            original = rs.get("original_max_position_embeddings") or c["max_position_embeddings"]
            beta_fast = rs.get("beta_fast") or 32
            beta_slow = rs.get("beta_slow") or 1
            mscale, mscale_all = rs.get("mscale"), rs.get("mscale_all_dim")
            if rs.get("attention_factor"):
                self.attention_factor = rs["attention_factor"]
            elif mscale and mscale_all:
                self.attention_factor = yarn_get_mscale(factor, mscale) / yarn_get_mscale(factor, mscale_all)
            else:
                self.attention_factor = yarn_get_mscale(factor, 1)

            def correction_dim(rot):
                return dim * math.log(original / (rot * 2 * math.pi)) / (2 * math.log(theta))

            low = max(math.floor(correction_dim(beta_fast)), 0)
            high = min(math.ceil(correction_dim(beta_slow)), dim - 1)
            if low == high:
                high += 0.001
            ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
            extrapolation_factor = 1 - ramp
            inv = (1.0 / (factor * pos_freqs)) * (1 - extrapolation_factor) + (1.0 / pos_freqs) * extrapolation_factor
            if mscale_all:
                m = yarn_get_mscale(factor, mscale_all)
                self.scale = self.scale * m * m
        else:
            inv = 1.0 / pos_freqs
        self.inv_freq = inv.float()

    # -- blocks ---------------------------------------------------------------------------------

    def rms_norm(self, x, weight, eps):
        variance = x.pow(2).mean(-1, keepdim=True)
        return weight * (x * torch.rsqrt(variance + eps))

    def linear(self, x, name):
        y = x @ self.w[name + ".weight"].T
        if name + ".bias" in self.w:
            y = y + self.w[name + ".bias"]
        return y

    def rotate(self, x, cos, sin):
        """x [..., T, dim]; cos, sin [T, dim] (the two halves repeated)."""
        if self.interleave:
            shape = x.shape
            x = x.reshape(*shape[:-1], shape[-1] // 2, 2).transpose(-1, -2).reshape(shape)
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        rotated = torch.cat((-x2, x1), dim=-1)
        return x * cos + rotated * sin

    def attention(self, i, x, cos, sin, cache, start):
        """x [B, T, hidden]; cache holds expanded keys and values [B, heads, S, d] per layer."""
        B, T, _ = x.shape
        a = f"model.layers.{i}.self_attn."
        if self.c.get("q_lora_rank"):
            q = self.linear(self.rms_norm(self.linear(x, a + "q_a_proj"), self.w[a + "q_a_layernorm.weight"], 1e-6),
                            a + "q_b_proj")
        else:
            q = self.linear(x, a + "q_proj")
        q = q.view(B, T, self.heads, self.nope + self.rope).transpose(1, 2)
        q_nope, q_pe = q[..., : self.nope], q[..., self.nope:]
        compressed = self.linear(x, a + "kv_a_proj_with_mqa")
        latent, k_pe = compressed[..., : self.rank], compressed[..., self.rank:]
        kv = self.linear(self.rms_norm(latent, self.w[a + "kv_a_layernorm.weight"], 1e-6), a + "kv_b_proj")
        kv = kv.view(B, T, self.heads, self.nope + self.v).transpose(1, 2)
        k_nope, value = kv[..., : self.nope], kv[..., self.nope:]
        k_pe = k_pe.view(B, 1, T, self.rope)
        q_pe = self.rotate(q_pe, cos, sin)
        k_pe = self.rotate(k_pe, cos, sin)
        query = torch.cat((q_nope, q_pe), dim=-1)
        key = torch.cat((k_nope, k_pe.expand(B, self.heads, T, self.rope)), dim=-1)
        if i in cache:
            key = torch.cat((cache[i][0], key), dim=2)
            value = torch.cat((cache[i][1], value), dim=2)
        cache[i] = (key, value)
        S = key.shape[2]
        scores = (query @ key.transpose(-1, -2)) * self.scale
        allowed = torch.arange(S)[None, :] <= (start + torch.arange(T))[:, None]
        scores = scores.masked_fill(~allowed, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        out = (probs @ value).transpose(1, 2).reshape(B, T, self.heads * self.v)
        return self.linear(out, a + "o_proj")

    def mlp(self, x, p):
        return self.linear(torch.nn.functional.silu(self.linear(x, p + "gate_proj")) * self.linear(x, p + "up_proj"),
                           p + "down_proj")

    def expert(self, x, m, e):
        if m + "experts.gate_up_proj" in self.w:
            width = self.c["moe_intermediate_size"]
            gate_up = x @ self.w[m + "experts.gate_up_proj"][e].T
            gate, up = gate_up[..., :width], gate_up[..., width:]
            return (torch.nn.functional.silu(gate) * up) @ self.w[m + "experts.down_proj"][e].T
        return self.mlp(x, m + f"experts.{e}.")

    def moe(self, i, x):
        c = self.c
        m = f"model.layers.{i}.mlp."
        shape = x.shape
        flat = x.reshape(-1, shape[-1])
        logits = flat @ self.w[m + "gate.weight"].T
        scores = torch.sigmoid(logits) if c.get("scoring_func", "sigmoid") == "sigmoid" else torch.softmax(logits, -1)
        bias_name = m + "gate.e_score_correction_bias"
        choice = scores + self.w[bias_name] if bias_name in self.w else scores.clone()
        E, G, KG, K = c["n_routed_experts"], c.get("n_group", 8), c.get("topk_group", 4), c["num_experts_per_tok"]
        if G > 1 and KG < G:
            grouped = choice.view(-1, G, E // G)
            if bias_name in self.w and E // G >= 2:
                group_scores = grouped.topk(2, dim=-1)[0].sum(-1)
            else:
                group_scores = grouped.max(dim=-1)[0]
            keep = torch.zeros_like(group_scores).scatter_(1, group_scores.topk(KG, dim=-1)[1], 1)
            mask = keep.unsqueeze(-1).expand(-1, G, E // G).reshape(-1, E)
            # the official inference code masks with -inf (HF uses 0.0; identical for positive scores)
            choice = choice.masked_fill(mask == 0, float("-inf"))
        idx = choice.topk(K, dim=-1)[1]
        weights = scores.gather(1, idx)
        if c.get("norm_topk_prob", True):
            weights = weights / (weights.sum(-1, keepdim=True) + 1e-20)
        weights = weights * c.get("routed_scaling_factor", 2.5)
        out = torch.zeros_like(flat)
        for e in range(E):  # HF's eager loop: one product per expert over the tokens that chose it
            token, slot = torch.where(idx == e)
            if token.numel():
                out.index_add_(0, token, self.expert(flat[token], m, e) * weights[token, slot].unsqueeze(-1))
        if c.get("n_shared_experts"):
            out = out + self.mlp(flat, m + "shared_experts.")
        return out.view(shape)

    def forward(self, tokens, cache, start):
        """tokens [B, T] at positions start..start+T-1; returns logits [B, T, vocab]."""
        c = self.c
        h = self.w["model.embed_tokens.weight"][tokens]
        positions = torch.arange(start, start + tokens.shape[1]).float()
        freqs = positions[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos = (emb.cos() * self.attention_factor).to(self.dtype)
        sin = (emb.sin() * self.attention_factor).to(self.dtype)
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            h = h + self.attention(i, self.rms_norm(h, self.w[p + "input_layernorm.weight"], self.eps), cos, sin, cache,
                                   start)
            x = self.rms_norm(h, self.w[p + "post_attention_layernorm.weight"], self.eps)
            h = h + (self.moe(i, x) if is_moe_layer(c, i) else self.mlp(x, p + "mlp."))
        h = self.rms_norm(h, self.w["model.norm.weight"], self.eps)
        head = self.w["model.embed_tokens.weight"] if c.get("tie_word_embeddings") else self.w["lm_head.weight"]
        return h @ head.T


def golden(model_dir, tokens, steps, reference=None):
    """The `logits` contract for `tokens` and `steps` greedy steps; `reference` builds the model (this file's by default)."""
    ref = (reference or Reference)(model_dir)
    cache = {}
    with torch.no_grad():
        logits = ref.forward(torch.tensor([tokens]), cache, 0)[0, -1]
        out, greedy = [logits], []
        for s in range(steps):
            nxt = int(torch.argmax(out[-1]))
            greedy.append(nxt)
            out.append(ref.forward(torch.tensor([[nxt]]), cache, len(tokens) + s)[0, -1])
    return {"tokens": tokens, "greedy": greedy, "logits": [[float(f"{x:.8g}") for x in l.tolist()] for l in out]}


def bench(model_dir, batches, prompt_len, gen_len, threads, dtype, reference=None):
    """Prefill and greedy-decode tokens/s per batch size; `reference` builds the model (this file's by default)."""
    torch.set_num_threads(threads)
    ref = (reference or Reference)(model_dir, dtype=torch.float32 if dtype == "f32" else torch.bfloat16)
    vocab = ref.c["vocab_size"]
    results = []
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for batch in batches:
            prompts = torch.randint(3, vocab, (batch, prompt_len), generator=g)
            cache = {}
            t0 = time.perf_counter()
            logits = ref.forward(prompts, cache, 0)[:, -1]
            prefill = time.perf_counter() - t0
            nxt = torch.argmax(logits, dim=-1, keepdim=True)
            t0 = time.perf_counter()
            for s in range(gen_len):
                logits = ref.forward(nxt, cache, prompt_len + s)[:, -1]
                nxt = torch.argmax(logits, dim=-1, keepdim=True)
            decode = time.perf_counter() - t0
            results.append({"batch": batch, "prefill_tokens_per_s": batch * prompt_len / prefill,
                            "decode_tokens_per_s": batch * gen_len / decode})
    return {"model": model_dir, "device": "cpu", "engine": f"pytorch-{torch.__version__}-eager-{dtype}",
            "threads": threads, "results": results}


def add_golden_and_bench(sub):
    """The golden and bench subcommands, the same for every reference in tools/reference/."""
    gd = sub.add_parser("golden", help="reference logits at the prefill and each greedy decode step")
    gd.add_argument("--model", required=True)
    gd.add_argument("--tokens", required=True)
    gd.add_argument("--steps", type=int, default=8)
    gd.add_argument("--out")
    bn = sub.add_parser("bench", help="prefill and decode tokens/s of this reference")
    bn.add_argument("--model", required=True)
    bn.add_argument("--batch", default="1,8")
    bn.add_argument("--prompt-len", type=int, default=64)
    bn.add_argument("--gen-len", type=int, default=32)
    bn.add_argument("--threads", type=int, default=os.cpu_count())
    bn.add_argument("--dtype", choices=["f32", "bf16"], default="f32")


def golden_or_bench(a, reference):
    """Runs the golden or bench subcommand parsed into `a` on the model `reference` builds."""
    if a.cmd == "golden":
        result = golden(a.model, [int(t) for t in a.tokens.split(",")], a.steps, reference=reference)
        text = json.dumps(result, separators=(",", ":"))
        if a.out:
            open(a.out, "w").write(text + "\n")
        else:
            print(text)
    else:
        print(json.dumps(bench(a.model, [int(b) for b in a.batch.split(",")], a.prompt_len, a.gen_len, a.threads,
                               a.dtype, reference=reference)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make", help="write a random-weight checkpoint")
    mk.add_argument("--config", required=True, help="config.json to use")
    mk.add_argument("--out", required=True)
    mk.add_argument("--dtype", choices=["F32", "BF16"], default="F32")
    mk.add_argument("--seed", type=int, default=0)
    mk.add_argument("--shards", type=int, default=1)
    mk.add_argument("--fused-experts", action="store_true", help="transformers v5 layout: experts.gate_up_proj")
    add_golden_and_bench(sub)
    a = ap.parse_args()
    if a.cmd == "make":
        make_checkpoint(a.out, json.load(open(a.config)), a.dtype, a.seed, a.shards, a.fused_experts)
    else:
        golden_or_bench(a, Reference)


if __name__ == "__main__":
    sys.exit(main())
