#!/usr/bin/env bash
# Seconds per LoRA training step and peak memory on CPU: genart-tiny's configs at 128x128 (batch 1 and 4) and the
# SD 1.5 config at 256x256 (batch 1), random weights, rank 8 on every attention projection of the UNet.
# Writes benchmarks/results/finetune.md.   bash benchmarks/finetune.sh [threads] [cache dir for the random weights]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${1:-2}"
CACHE="${2:-${TMPDIR:-/tmp}/genart-bench-cache}"
OUT=benchmarks/results/finetune.md
dotnet build benchmarks/finetune -c Release -nologo -v q
bin=benchmarks/finetune/bin/Release/net10.0/GenArt.Benchmarks.FineTune.dll
mkdir -p "$CACHE"
run() { echo '```'; echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"; dotnet "$bin" "$@" "$THREADS"; echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"; echo '```'; }
{
  echo "# LoRA fine-tune: seconds per step and memory (CPU)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo "- machine: $(lscpu | grep 'Model name' | cut -d: -f2 | xargs), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB; shared with other work (load averages below)"
  echo "- libtorch: Debian libtorch-dev 1.13.1 (CPU), float32, $THREADS threads"
  echo "- command: \`bash benchmarks/finetune.sh $THREADS\`"
  echo "- a step: noise-prediction forward of the UNet with the adapter applied through the per-sample hook, backward, AdamW on the adapter (VAE posteriors are encoded once per image and cached)"
  echo
  echo "## genart-tiny configs, 128x128, batch 1"
  run tiny "$CACHE" 128 1 5
  echo
  echo "## genart-tiny configs, 128x128, batch 4"
  run tiny "$CACHE" 128 4 5
  echo
  echo "## SD 1.5 config, 256x256, batch 1"
  run sd15 "$CACHE" 256 1 3
  echo
  echo "## genart-tiny configs, 128x128, 1 thread (batch 1, then 4)"
  THREADS=1 run tiny "$CACHE" 128 1 5
  THREADS=1 run tiny "$CACHE" 128 4 5
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
