#!/usr/bin/env bash
# OpenMP wait policy, side by side in one run: GenArt.Torch's default (OMP_WAIT_POLICY=PASSIVE, set before libtorch
# loads) against libgomp's own default (threads spin for a while after each parallel region; GOMP_SPINCOUNT=300000
# restores it, since an explicit spin count is left alone), alternating, for a genart-tiny render, a LoRA training
# step at genart-tiny's configs and, unless "quick", an SD 1.5-config render at 256x256.
# Writes benchmarks/results/omp-wait-policy.md.   bash benchmarks/omp-wait.sh [threads = 2] [rounds = 3] [quick]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${1:-2}"
ROUNDS="${2:-3}"
QUICK="${3:-}"
CACHE="${TMPDIR:-/tmp}/genart-bench-cache"
OUT=benchmarks/results/omp-wait-policy.md
dotnet build benchmarks/pipeline -c Release -nologo -v q
dotnet build benchmarks/finetune -c Release -nologo -v q
pipeline=benchmarks/pipeline/bin/Release/net10.0/GenArt.Benchmarks.Pipeline.dll
finetune=benchmarks/finetune/bin/Release/net10.0/GenArt.Benchmarks.FineTune.dll
mkdir -p "$CACHE"
# under POLICY ARGS...: dotnet ARGS with libgomp's spinning default restored, or with GenArt's own default
under() { if [ "$1" = spinning ]; then GOMP_SPINCOUNT=300000 dotnet "${@:2}"; else dotnet "${@:2}"; fi; }
# alternate ROUNDS TITLE PATTERN BENCHMARK ARGS...: a section with the benchmark's PATTERN lines under each policy
alternate() {
  local rounds=$1 title=$2 pattern=$3; shift 3
  echo; echo "## $title"; echo '```'
  for r in $(seq "$rounds"); do
    for p in spinning passive; do
      echo "round $r, $p: $(under $p "$@" | grep -E "$pattern" | tr -s ' ' | paste -sd';')"
    done
  done
  echo '```'
}
{
  echo "# OpenMP wait policy: passive (GenArt's default) against libgomp's spinning default"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) logical cores, $(free -g | awk '/Mem:/{print $2}') GB, load before $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- libtorch: Debian libtorch-dev 1.13.1 (CPU, GNU OpenMP, OpenBLAS pthreads), float32, $THREADS threads"
  echo "- command: \`bash benchmarks/omp-wait.sh $THREADS $ROUNDS${QUICK:+ $QUICK}\`"
  alternate "$ROUNDS" "genart-tiny render, 128x128, 20 steps, batch 1 (median of 9 generates)" '^(generate|steps) ' \
    "$pipeline" tiny models/genart-tiny 128 20 "$THREADS" 9
  alternate "$ROUNDS" "LoRA training step, genart-tiny configs (random weights), 128x128, batch 4 (median of 5 steps)" '^step:' \
    "$finetune" tiny "$CACHE" 128 4 5 "$THREADS"
  if [ "$QUICK" != quick ]; then
    alternate 1 "SD 1.5 config (random weights), 256x256, 20 steps, batch 1 (one generate)" '^(generate|steps) ' \
      "$pipeline" sd15 "$CACHE" 256 20 "$THREADS" 1
  fi
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
