#!/usr/bin/env bash
# Regenerates the tiny golden checkpoints and their reference logits under data-samples/.
# Needs Debian's python3-torch (and python3-numpy); CI does not run this, it reads the outputs.
set -euo pipefail
cd "$(dirname "$0")/../.."
ref=tools/reference/deepseek_v3_reference.py
models=data-samples/models
golden=data-samples/golden
mkdir -p "$models" "$golden"

# (a) Kimi K2-like: q-LoRA, one shared expert, no expert groups, YaRN, float32 weights, one file.
/usr/bin/python3 $ref make --config tools/reference/configs/kimi-k2-tiny.json --out $models/kimi-k2-tiny --dtype F32 --seed 11
/usr/bin/python3 $ref golden --model $models/kimi-k2-tiny --tokens 1,17,250,3,99,42,7,311,5,120 --steps 8 \
  --out $golden/kimi-k2-tiny.json

# (b) DeepSeek-V3-like: no q-LoRA, 8 groups / 4 kept, two shared experts, two dense layers,
#     bf16 weights in two shards; widths that are not multiples of the vector length.
/usr/bin/python3 $ref make --config tools/reference/configs/deepseek-v3-tiny.json --out $models/deepseek-v3-tiny \
  --dtype BF16 --seed 12 --shards 2
/usr/bin/python3 $ref golden --model $models/deepseek-v3-tiny \
  --tokens 0,5,77,300,12,9,250,33,101,7,64,128,255,2,19,88,44,370,6,210 --steps 8 --out $golden/deepseek-v3-tiny.json

# (c) the other switches: softmax scores grouped without a bias, no normalisation, RoPE in halves,
#     attention biases, tied embeddings, no shared expert, every layer MoE, transformers v5 expert layout.
/usr/bin/python3 $ref make --config tools/reference/configs/variant-tiny.json --out $models/variant-tiny --dtype F32 \
  --seed 13 --fused-experts
/usr/bin/python3 $ref golden --model $models/variant-tiny --tokens 3,14,15,92,65,35,89,79,32,38,46,26,43,38,32,79,50 \
  --steps 8 --out $golden/variant-tiny.json

# (d) Kimi K2's native FP8: every linear layer but lm_head in F8_E4M3 with float32 weight_scale_inv per
#     128x128 block, the rest bf16. Widths that cross a block (160, 136, 288) so blocks are partial,
#     and kv_a_proj_with_mqa's [latent | rope] split falls inside one. The reference dequantises.
/usr/bin/python3 $ref make --config tools/reference/configs/kimi-k2-fp8-tiny.json --out $models/kimi-k2-fp8-tiny \
  --dtype BF16 --seed 14
/usr/bin/python3 $ref golden --model $models/kimi-k2-fp8-tiny --tokens 1,17,250,3,99,42,7,311,5,120,64,383 --steps 8 \
  --out $golden/kimi-k2-fp8-tiny.json

# (e) Kimi K2-Thinking's INT4: compressed-tensors pack-quantized, symmetric groups of 32 with bf16
#     scales; the ignore list keeps lm_head, the shared expert (by pattern) and one layer's kv_b_proj
#     (by name) in bf16, and quantises the rest, attention included (K2-Thinking itself ignores more).
/usr/bin/python3 $ref make --config tools/reference/configs/kimi-k2-int4-tiny.json --out $models/kimi-k2-int4-tiny \
  --dtype BF16 --seed 15
/usr/bin/python3 $ref golden --model $models/kimi-k2-int4-tiny --tokens 2,300,18,77,5,9,140,260,33,1,8 --steps 8 \
  --out $golden/kimi-k2-int4-tiny.json

# (f)-(h) the grouped-query MoE families, from tools/reference/moe_families_reference.py; each ships a
#     byte-level tokenizer with the family's special tokens and chat template so `generate` runs on it.
fam=tools/reference/moe_families_reference.py
# Qwen3-MoE: GQA 4 over 2, head_dim 24 (not hidden / heads), per-head q/k norm, top-3 of 8 renormalised,
# layer 1 dense (mlp_only_layers), float32.
/usr/bin/python3 $fam make --config tools/reference/configs/qwen3-moe-tiny.json --out $models/qwen3-moe-tiny --seed 21
/usr/bin/python3 tools/default-model/write_tokenizer.py $models/qwen3-moe-tiny qwen3
/usr/bin/python3 $fam golden --model $models/qwen3-moe-tiny --tokens 257,17,250,3,99,42,7,111,5,120,64,200 --steps 8 \
  --out $golden/qwen3-moe-tiny.json
# Mixtral: GQA 6 over 2, top-2 of 4 renormalised, experts w1/w3/w2, bf16 weights in two shards.
/usr/bin/python3 $fam make --config tools/reference/configs/mixtral-tiny.json --out $models/mixtral-tiny --dtype BF16 \
  --seed 22 --shards 2
/usr/bin/python3 tools/default-model/write_tokenizer.py $models/mixtral-tiny mixtral
/usr/bin/python3 $fam golden --model $models/mixtral-tiny --tokens 256,91,14,15,92,65,35,89,79,32,38,46,26,43 --steps 8 \
  --out $golden/mixtral-tiny.json
# OLMoE: full multi-head attention, q/k norm over the whole projection, top-4 of 8 not renormalised, float32.
/usr/bin/python3 $fam make --config tools/reference/configs/olmoe-tiny.json --out $models/olmoe-tiny --seed 23
/usr/bin/python3 tools/default-model/write_tokenizer.py $models/olmoe-tiny olmoe
/usr/bin/python3 $fam golden --model $models/olmoe-tiny --tokens 256,2,71,82,81,82,84,59,4,52,35,3 --steps 8 \
  --out $golden/olmoe-tiny.json
