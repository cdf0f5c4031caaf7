#!/usr/bin/env bash
# Random-weight K2-architecture checkpoints (bf16) for benchmarks, written to bench-models/ (not
# committed): k2-small (~60M parameters, 32 experts top-4) and k2-medium (~395M parameters,
# 64 experts top-8, MLA, vocabulary 32k). Needs Debian's python3-torch.
set -euo pipefail
cd "$(dirname "$0")/../.."
for name in "${@:-k2-small k2-medium}"; do
  for n in $name; do
    if [[ ! -f bench-models/$n/model.safetensors && ! -f bench-models/$n/model.safetensors.index.json ]]; then
      /usr/bin/python3 tools/reference/deepseek_v3_reference.py make --config tools/bench/$n.json \
        --out bench-models/$n --dtype BF16 --seed 5
    fi
    echo "bench-models/$n"
  done
done
