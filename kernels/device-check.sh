#!/usr/bin/env bash
# The CUDA backend's one prepared check, for a machine with an NVIDIA GPU (sized for one H200:
# about six minutes). Run from anywhere, as is:
#
#   kernels/device-check.sh
#
# Steps, each under its own timeout cut to what is left of the budget, none able to stop the rest:
#   1. PTX          kernels/build-ptx.sh with this machine's nvcc (kept from the build if there is none)
#   2. gpu tests    mvn -o verify -Dgroups=gpu over kernels, inference-udf, jobs (also builds the jars),
#                   and rapids-udf (-Prapids) where the RAPIDS jar is cached
#   3. ceilings     device-to-device copy bandwidth and bf16 matmul rate, through the device's PyTorch
#   4. expert GEMM  GroupedGemmBench at Kimi K2's expert shape, 1 ... 4096 tokens
#   5. checkpoint   a random bf16 checkpoint of the benchmark shape (DEVICE_CHECK_CONFIG, default
#                   tools/bench/moonlight-shape.json: Moonlight-16B-A3B; tools/bench/qwen3-30b-a3b-shape.json
#                   is Qwen3-30B-A3B, 61 GB), written to /dev/shm when it has room (removed at exit),
#                   else to bench-models/
#   6. moe-batch    bench --device cuda at batch 1, 8, 64, 256
#   7. transformers DeepseekV3ForCausalLM, random bf16 weights from the same config, same batches
#   8. the table    tools/bench/cuda/device_table.py: results, and every step that was skipped and why
#
# Outputs (logs, JSON, table.md) go to target/device-check/. Environment: DEVICE_CHECK_SECONDS (the
# budget, default 340), DEVICE_CHECK_OUT, DEVICE_CHECK_CONFIG, JAVA_HOME, PYTHON (default python3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${DEVICE_CHECK_OUT:-$root/target/device-check}"
budget="${DEVICE_CHECK_SECONDS:-340}"
python="${PYTHON:-python3}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
config="${DEVICE_CHECK_CONFIG:-tools/bench/moonlight-shape.json}"
shape="$(basename "$config" .json)"
prompt=64
generate=32
batches=1,8,64,256
start=$(date +%s)

rm -rf "$out"
mkdir -p "$out"
: >"$out/steps.tsv"

shm_model=""
cleanup() {
  if [[ -n $shm_model && -d $shm_model ]]; then
    rm -rf "$shm_model"
  fi
}
trap cleanup EXIT

remaining() { echo $((budget - ($(date +%s) - start))); }

note() { # step outcome seconds note
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$out/steps.tsv"
  echo "device-check: $1: $2${4:+ ($4)}" >&2
}

# run_step NAME SECONDS COMMAND...: stdout to NAME.out, stderr to NAME.log. Exit 3 from a command
# means "skipped" (its last stderr line says why). Returns the command's status; never exits.
run_step() {
  local name=$1 limit=$2
  shift 2
  local left
  left=$(remaining)
  if ((left < 15)); then
    note "$name" skipped 0 "out of time (budget ${budget} s)"
    return 1
  fi
  ((limit > left)) && limit=$left
  local t0 rc=0
  t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" >"$out/$name.out" 2>"$out/$name.log" || rc=$?
  local took=$(($(date +%s) - t0))
  case $rc in
    0) note "$name" ok "$took" "" ;;
    124 | 137) note "$name" "timed out" "$took" "after ${limit} s; see $name.log" ;;
    3) note "$name" skipped "$took" "$(tail -n 1 "$out/$name.log")" ;;
    *) note "$name" failed "$took" "exit $rc; see $name.log: $(tail -n 1 "$out/$name.log" | cut -c1-160)" ;;
  esac
  return $rc
}

# --- the machine -------------------------------------------------------------------------------
gpu=0
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  gpu=1
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$out/device.txt" 2>&1 || true
else
  echo "no NVIDIA GPU visible (nvidia-smi absent or lists none): the measurements are skipped" >"$out/device.txt"
fi
echo "device-check: $(head -n 1 "$out/device.txt"); budget ${budget} s; outputs in $out" >&2

# --- 1. PTX with this machine's toolkit ------------------------------------------------------------
if command -v nvcc >/dev/null 2>&1 || [[ -x /usr/local/cuda/bin/nvcc ]]; then
  run_step ptx 90 bash kernels/build-ptx.sh || true
else
  note ptx skipped 0 "no nvcc here; using the PTX the build produced elsewhere, if carried"
fi

# --- 2. the gpu-tagged tests (and the jars the later steps run) ----------------------------------
if command -v mvn >/dev/null 2>&1; then
  rm -rf kernels/target/surefire-reports inference-udf/target/surefire-reports jobs/target/surefire-reports \
    rapids-udf/target/surefire-reports
  # the columnar RAPIDS function (-Prapids) only where its plugin's jar is at hand: this build is offline
  modules=(-pl kernels,inference-udf,jobs)
  if compgen -G "target/rapids/rapids-4-spark_*.jar" >/dev/null \
      || compgen -G "$HOME/.m2/repository/.cache/download-maven-plugin/rapids-4-spark_*" >/dev/null; then
    modules=(-Prapids -pl kernels,inference-udf,jobs,rapids-udf)
  fi
  # failures do not stop the build: the jars are still made, and the counts below tell
  run_step gpu-tests 200 mvn -o -B -q "${modules[@]}" -am verify -Dgroups=gpu \
    -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true || true
  "$python" - "$out/gpu-tests.json" <<'PY' || true
import glob, json, sys
import xml.etree.ElementTree as ET
total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "classes": []}
for path in sorted(glob.glob("*/target/surefire-reports/TEST-*.xml")):
    suite = ET.parse(path).getroot()
    for key in ("tests", "failures", "errors", "skipped"):
        total[key] += int(suite.get(key, 0))
    n = int(suite.get("tests", 0))
    # a class whose @BeforeAll assumption failed (no device) reports no tests at all
    total["classes"].append(suite.get("name").rsplit(".", 1)[-1] + ("" if n else " (skipped whole)"))
json.dump(total, open(sys.argv[1], "w"))
PY
else
  note gpu-tests skipped 0 "no mvn on the PATH"
fi
jars=(jobs/target/lib/*.jar)
have_jars=0
if [[ -e ${jars[0]} ]] && ls jobs/target/moe-batch-jobs-*.jar >/dev/null 2>&1 && [[ -d jobs/target/spark-lib ]]; then
  have_jars=1
fi

# --- 3. ceilings ---------------------------------------------------------------------------------
peak=""
if ((!gpu)); then
  for step in ceilings expert-gemm checkpoint moe-bench transformers; do
    note "$step" skipped 0 "no NVIDIA GPU visible"
  done
  "$python" tools/bench/cuda/device_table.py "$out" "$config" "$prompt" "$generate" | tee "$out/table.md"
  exit 0
fi
if run_step ceilings 60 "$python" tools/bench/cuda/torch_ceilings.py; then
  cp "$out/ceilings.out" "$out/ceilings.json"
  peak=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["bf16_tflops"])' "$out/ceilings.json")
fi

# --- 4. grouped expert GEMM at K2's expert shape ---------------------------------------------------
if ((have_jars)); then
  run_step expert-gemm 120 "$java" -cp "jobs/target/lib/*" org.moebatch.cuda.bench.GroupedGemmBench \
    --experts 384 --hidden 7168 --width 2048 --top-k 8 --tokens 1,2,4,8,16,32,64,128,256,512,1024,2048,4096 \
    --repeat 5 ${peak:+--ceiling-tflops "$peak"} || true
  cp "$out/expert-gemm.out" "$out/gemm.jsonl" 2>/dev/null || true
else
  note expert-gemm skipped 0 "the jars were not built (step gpu-tests)"
fi

# --- 5. a checkpoint of the benchmark shape -----------------------------------------------------
model=""
# the checkpoint's size, plus room for the page cache to breathe
need_gib=$(( $("$python" tools/bench/cuda/random_checkpoint.py --config "$config" --out - --print-bytes) / 1073741824 + 3 ))
free_gib() { df -P -BG "$1" 2>/dev/null | awk 'NR == 2 { sub("G", "", $4); print $4 }'; }
if [[ -f bench-models/$shape/config.json ]]; then
  model=bench-models/$shape
  note checkpoint ok 0 "reusing $model"
else
  target=""
  if [[ -d /dev/shm && $(free_gib /dev/shm || echo 0) -ge $need_gib ]]; then
    shm_model=/dev/shm/moe-batch-device-check/$shape
    target=$shm_model
  elif [[ $(free_gib . || echo 0) -ge $((need_gib + 6)) ]]; then
    target=bench-models/$shape
  fi
  if [[ -z $target ]]; then
    note checkpoint skipped 0 "no room for ${need_gib} GiB in /dev/shm or on disk"
  elif run_step checkpoint 180 "$python" tools/bench/cuda/random_checkpoint.py --config "$config" --out "$target"; then
    model=$target
  fi
fi

# --- 6. moe-batch decode on the GPU ----------------------------------------------------------------
if [[ -n $model ]] && ((have_jars)); then
  if run_step moe-bench 200 bin/moe-batch bench --device cuda --model "$model" --batch "$batches" \
    --prompt-len "$prompt" --gen-len "$generate" --warmup-s 0 --json; then
    cp "$out/moe-bench.out" "$out/moe-bench.json"
  fi
else
  note moe-bench skipped 0 "needs the checkpoint (step 5) and the jars (step 2)"
fi

# --- 7. transformers, same shape ------------------------------------------------------------------
if run_step transformers 150 "$python" tools/bench/cuda/transformers_decode.py --config "$config" \
  --batch "$batches" --prompt-len "$prompt" --gen-len "$generate"; then
  cp "$out/transformers.out" "$out/transformers.json"
fi

# --- 8. the table --------------------------------------------------------------------------------
"$python" tools/bench/cuda/device_table.py "$out" "$config" "$prompt" "$generate" | tee "$out/table.md"
echo "device-check: done in $(($(date +%s) - start)) s; table in $out/table.md" >&2
