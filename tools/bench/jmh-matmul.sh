#!/usr/bin/env bash
# The CPU matrix-product kernel (JMH, one thread) beside OpenBLAS sgemm (numpy, one thread) on the
# same shapes, in one run, and a table of GFLOP/s and their ratio. Needs Debian's python3-numpy
# with libopenblas0-pthread.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -DskipTests install
mvn -q -pl inference-udf test-compile
cp=$(mvn -q -pl inference-udf dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
out=$(mktemp)
java --add-modules=jdk.incubator.vector -cp "inference-udf/target/test-classes:inference-udf/target/classes:$cp" \
  org.openjdk.jmh.Main MatMulBenchmark -rf json -rff "$out" "$@" >&2
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 - "$out" <<'PY'
import json, sys, time
import numpy as np
runs = json.load(open(sys.argv[1]))
print("| shape T x K -> N | weights | moe-batch GFLOP/s | OpenBLAS sgemm GFLOP/s | OpenBLAS / moe-batch |")
print("|---|---|---|---|---|")
for r in runs:
    shape, dtype = r["params"]["shape"], r["params"]["dtype"]
    t, k, n = map(int, shape.split("x"))
    flops = 2.0 * t * k * n
    ours = flops / (r["primaryMetric"]["score"] * 1e-6) / 1e9
    x = np.random.rand(t, k).astype(np.float32); w = np.random.rand(n, k).astype(np.float32)
    for _ in range(3): x @ w.T
    reps = max(3, int(2e9 / flops))
    s = time.perf_counter()
    for _ in range(reps): x @ w.T
    blas = flops * reps / (time.perf_counter() - s) / 1e9
    print(f"| {t} x {k} -> {n} | {dtype} | {ours:.1f} | {blas:.1f} | {blas / ours:.2f}x |")
PY
