#!/usr/bin/env bash
# The CPU engine against this machine's own limits, measured in the same run: memory read bandwidth
# (tools/bench/cpu/read_bandwidth.c) and the float32 GEMM peak (OpenBLAS sgemm through numpy), then
# `moe-batch bench`, then each batch's decode as a share of them. Usage:
#   tools/bench/cpu-roofline.sh [MODEL_DIR] [BATCHES]     (default: bench-models/k2-medium 1,8,32)
#   THREADS=1 tools/bench/cpu-roofline.sh ...            the engine on one thread, against one thread's limits
#                                                        (the fair figure while another process holds a core)
# Needs gcc and Debian's python3-numpy with libopenblas0-pthread.
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:-bench-models/k2-medium}
batches=${2:-1,8,32}
[[ -d $model ]] || tools/bench/make-bench-models.sh "$(basename "$model")" >/dev/null
out=$(mktemp -d)
gcc -O3 -march=native -fopenmp tools/bench/cpu/read_bandwidth.c -o "$out/read_bandwidth"
"$out/read_bandwidth" 2048 > "$out/bandwidth.json"
/usr/bin/python3 - > "$out/sgemm.json" <<'PY'
import json, os, time, subprocess, sys
# sgemm at a large square shape, once on one thread and once on all: a fresh process each, since
# OpenBLAS reads its thread count at load time
code = """
import numpy as np, time, sys
n = 2048
a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
for _ in range(2): a @ b
best = 0
for _ in range(5):
    s = time.perf_counter(); a @ b; best = max(best, 2 * n ** 3 / (time.perf_counter() - s) / 1e9)
print(best)
"""
peaks = {}
for threads in (1, os.cpu_count()):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    peaks[str(threads)] = float(subprocess.check_output([sys.executable, "-c", code], env=env))
print(json.dumps({"sgemm_gflops_by_threads": peaks}))
PY
bin/moe-batch bench --model "$model" --batch "$batches" --prompt-len 64 --gen-len 32 --repeat 2 --threads "${THREADS:-0}" \
  --json > "$out/bench.json"
/usr/bin/python3 - "$out" "$model" <<'PY'
import json, os, struct, sys, glob
d, model = sys.argv[1], sys.argv[2]
bw = json.load(open(os.path.join(d, "bandwidth.json")))
sg = json.load(open(os.path.join(d, "sgemm.json")))["sgemm_gflops_by_threads"]
bench = json.load(open(os.path.join(d, "bench.json")))
cfg = json.load(open(os.path.join(model, "config.json")))
# every family's name for the routed expert count (DeepSeek-V3 / K2, Qwen3-MoE and OLMoE, Mixtral)
k = cfg["num_experts_per_tok"]
experts = cfg.get("n_routed_experts") or cfg.get("num_experts") or cfg.get("num_local_experts")

# Bytes of weights one token reads in decode: every tensor once, the routed experts k/E of them,
# the embedding table one row (a gather), read from the safetensors headers.
def tensors():
    for f in sorted(glob.glob(os.path.join(model, "*.safetensors"))):
        with open(f, "rb") as fh:
            n = struct.unpack("<Q", fh.read(8))[0]
            for name, e in json.loads(fh.read(n)).items():
                if name != "__metadata__":
                    yield name, e["shape"], e["data_offsets"][1] - e["data_offsets"][0]
active_bytes = active_params = 0
for name, shape, nbytes in tensors():
    params = 1
    for s in shape:
        params *= s
    share = 1.0
    if ".experts." in name:  # mlp.experts.E (or Mixtral's block_sparse_moe.experts.E)
        share = k / experts
    elif name == "model.embed_tokens.weight":
        share = 1.0 / shape[0]
    active_bytes += nbytes * share
    active_params += params * share
threads = str(bench["threads"])
peak = sg.get(threads, max(sg.values()))
bound = bw["read_gb_per_s_1_thread"] if threads == "1" else bw["read_gb_per_s_all"]
print(f"machine limits, this run: read {bw['read_gb_per_s_1_thread']} GB/s on 1 thread, {bw['read_gb_per_s_all']} GB/s on {bw['threads']}; "
      f"sgemm {sg['1']:.1f} GFLOP/s on 1 thread, {peak:.1f} on {threads}")
print(f"engine threads {threads}; load average before the run {bench.get('load_average_before')}")
print(f"model {bench['model']}: {active_params / 1e6:.1f}M active parameters, {active_bytes / 1e6:.1f} MB of weights read per decode token; "
      f"batch-1 decode bound {bound * 1e9 / active_bytes:.1f} tokens/s; peak RSS {bench.get('peak_rss_mb')} MB")
print("| batch | prefill tok/s | decode tok/s | decode vs batch 1 | batch-1 decode, share of the bandwidth bound | decode GFLOP/s | share of sgemm peak |")
print("|---|---|---|---|---|---|---|")
base = bench["results"][0]["decode_tokens_per_s"]
for r in bench["results"]:
    dec = r["decode_tokens_per_s"]
    gflops = 2 * active_params * dec / 1e9
    bw_share = f"{dec * active_bytes / (bound * 1e9):.0%}" if r["batch"] == 1 else ""
    print(f"| {r['batch']} | {r['prefill_tokens_per_s']:.1f} | {dec:.1f} | {dec / base:.2f}x | {bw_share} | {gflops:.1f} | {gflops / peak:.0%} |")
PY
