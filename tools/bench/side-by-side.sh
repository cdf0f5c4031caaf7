#!/usr/bin/env bash
# moe-batch and the PyTorch reference on the same checkpoint, same machine, one after the other in
# one run, then a table of both and their ratio. Usage:
#   tools/bench/side-by-side.sh [MODEL_DIR] [BATCHES]      (default: bench-models/k2-medium 1,8)
# Needs Debian's python3-torch; makes the model with tools/bench/make-bench-models.sh if absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:-bench-models/k2-medium}
batches=${2:-1,8}
threads=${THREADS:-$(nproc)}  # THREADS=1: both engines on one thread
[[ -d $model ]] || tools/bench/make-bench-models.sh "$(basename "$model")" >/dev/null
# the PyTorch reference of the checkpoint's family
case "$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["model_type"])' "$model/config.json")" in
  qwen3_moe | mixtral | olmoe) ref=tools/reference/moe_families_reference.py ;;
  *) ref=tools/reference/deepseek_v3_reference.py ;;
esac
out=$(mktemp -d)
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $threads cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1)" >&2
bin/moe-batch bench --model "$model" --batch "$batches" --prompt-len 64 --gen-len 32 --repeat 2 --threads "$threads" \
  --json > "$out/moe.json"
/usr/bin/python3 $ref bench --model "$model" --batch "$batches" \
  --prompt-len 64 --gen-len 32 --threads "$threads" --dtype bf16 > "$out/torch-bf16.json"
/usr/bin/python3 $ref bench --model "$model" --batch "$batches" \
  --prompt-len 64 --gen-len 32 --threads "$threads" --dtype f32 > "$out/torch-f32.json"
/usr/bin/python3 - "$out" <<'PY'
import json, sys, os
d = sys.argv[1]
moe = json.load(open(os.path.join(d, "moe.json")))
peers = {k: json.load(open(os.path.join(d, f"torch-{k}.json"))) for k in ("bf16", "f32")}
print(f"model {moe['model']}, {moe['threads']} threads, prompt {moe['prompt_len']}, generate {moe['gen_len']}")
print("| batch | phase | moe-batch tok/s | PyTorch bf16 tok/s | PyTorch f32 tok/s | moe-batch / best PyTorch |")
print("|---|---|---|---|---|---|")
for row in moe["results"]:
    b = row["batch"]
    for phase in ("prefill", "decode"):
        key = f"{phase}_tokens_per_s"
        t = {k: next(r[key] for r in p["results"] if r["batch"] == b) for k, p in peers.items()}
        best = max(t.values())
        print(f"| {b} | {phase} | {row[key]:.1f} | {t['bf16']:.1f} | {t['f32']:.1f} | {row[key] / best:.2f}x |")
PY
