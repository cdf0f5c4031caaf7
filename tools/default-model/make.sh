#!/usr/bin/env bash
# Writes data-samples/models/k2-tiny-chat: the default model of `moe-batch generate`. A random-weight
# K2-architecture checkpoint (bf16, 3 layers, 16 experts) with a byte-level tokenizer and Kimi K2's
# special tokens: every part of the pipeline runs, the text it writes is noise.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=data-samples/models/k2-tiny-chat
/usr/bin/python3 tools/reference/deepseek_v3_reference.py make --config tools/default-model/config.json \
  --out $out --dtype BF16 --seed 42
/usr/bin/python3 tools/default-model/write_tokenizer.py $out
ls -la $out
