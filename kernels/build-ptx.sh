#!/usr/bin/env bash
# Compiles kernels/src/main/cuda/*.cu to PTX for compute_80 (Ampere, Hopper and later JIT it) into
# the kernels module's classpath resources. Maven runs it in generate-resources; it can run by hand.
#
#   kernels/build-ptx.sh [OUT_DIR]     default: kernels/target/classes/org/moebatch/cuda/ptx
#   NVCC=/path/to/nvcc                 another toolkit; a path that is not executable means none
#
# Without nvcc the build must still succeed: the script writes a manifest that says why nothing was
# built and exits 0, and the CUDA backend then reports "kernels not built: ..." when asked for.
#
# Every warning is an error (nvcc --Werror all-warnings), and each PTX file is assembled by ptxas for
# sm_80 and sm_90 with spills reported as errors, so problems only the assembler sees show up here,
# not on the GPU machine. nvcc stamps the PTX with its own newest ISA version (9.0 for CUDA 13),
# which a driver older than the toolkit refuses to load; the kernels need nothing newer than ISA 7.8
# (mma.sync bf16 and cp.async are ISA 7.0), so the declaration is lowered to $PTX_ISA after ptxas
# has checked that the code assembles at that version.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/src/main/cuda"
out="${1:-$here/target/classes/org/moebatch/cuda/ptx}"
arch="${PTX_ARCH:-compute_80}"
isa="${PTX_ISA:-7.8}"
mkdir -p "$out"
manifest="$out/ptx-manifest.properties"

nvcc="${NVCC:-$(command -v nvcc || true)}"
if [[ -z $nvcc && -x /usr/local/cuda/bin/nvcc ]]; then
  nvcc=/usr/local/cuda/bin/nvcc
fi
if [[ -n $nvcc && ! -x $nvcc ]]; then
  nvcc=""  # NVCC=/nonexistent builds as a machine without the toolkit would
fi
if [[ -z $nvcc ]]; then
  # PTX that an earlier build here made with nvcc stays, as long as no source changed since: a
  # prepared tree carried to a GPU machine without a toolkit keeps its kernels.
  if grep -q '^status=built' "$manifest" 2>/dev/null; then
    fresh=1
    for cu in "$src"/*.cu; do
      ptx="$out/$(basename "$cu" .cu).ptx"
      if [[ ! -f $ptx || $cu -nt $ptx || -n $(find "$src" -name '*.cuh' -newer "$ptx") ]]; then
        fresh=0
      fi
    done
    if ((fresh)); then
      echo "build-ptx: nvcc not found; keeping the PTX built earlier ($(grep '^nvcc=' "$manifest"))" >&2
      exit 0
    fi
  fi
  echo "build-ptx: nvcc not found (PATH, /usr/local/cuda/bin): CUDA kernels not built" >&2
  rm -f "$out"/*.ptx
  printf 'status=skipped\nreason=nvcc was not found on the PATH or in /usr/local/cuda/bin when the kernels module was built\n' >"$manifest"
  exit 0
fi
ptxas="$(dirname "$(readlink -f "$nvcc")")/ptxas"
if [[ ! -x $ptxas ]]; then
  ptxas="$(command -v ptxas || true)"
fi
if [[ -z $ptxas ]]; then
  echo "build-ptx: nvcc at $nvcc but no ptxas beside it or on the PATH" >&2
  exit 1
fi
version=$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')

modules=()
built=0
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  ptx="$out/$name.ptx"
  modules+=("$name")
  # Up to date when newer than its source, every header, and this script.
  if [[ -f $ptx && $ptx -nt $cu && $ptx -nt "${BASH_SOURCE[0]}" && -z $(find "$src" -name '*.cuh' -newer "$ptx") ]]; then
    continue
  fi
  tmp="$out/$name.ptx.tmp"
  "$nvcc" -ptx -arch="$arch" -std=c++17 -O3 --Werror all-warnings -o "$tmp" "$cu"
  sed -i "s/^\.version [0-9.]*\$/.version $isa/" "$tmp"
  for sm in sm_80 sm_90; do
    if ! "$ptxas" -arch="$sm" -O3 --warn-on-spills --warning-as-error "$tmp" -o /dev/null; then
      rm -f "$tmp"
      echo "build-ptx: $name.ptx does not assemble for $sm at PTX ISA $isa (see above)" >&2
      exit 1
    fi
  done
  mv "$tmp" "$ptx"
  built=$((built + 1))
done
printf 'status=built\nnvcc=%s\narch=%s\nisa=%s\nmodules=%s\n' "$version" "$arch" "$isa" "${modules[*]}" >"$manifest"
echo "build-ptx: ${#modules[@]} PTX modules in $out ($built rebuilt, nvcc $version, $arch, ISA $isa)" >&2
