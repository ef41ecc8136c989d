#!/usr/bin/env bash
# Full txt2img latency, the split of a step between the UNet and everything else, and peak memory, for the
# golden tiny model (128x128) and the exact SD 1.5 config with random weights (256x256), 20 steps each.
# Writes benchmarks/results/pipeline.md.   bash benchmarks/pipeline.sh [threads] [cache dir for the SD 1.5 weights]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${1:-2}"
CACHE="${2:-${TMPDIR:-/tmp}/genart-bench-cache}"
OUT=benchmarks/results/pipeline.md
dotnet build benchmarks/pipeline -c Release -nologo -v q
bin=benchmarks/pipeline/bin/Release/net10.0/GenArt.Benchmarks.Pipeline.dll
mkdir -p "$CACHE"
{
  echo "# Stable Diffusion pipeline: latency and memory (CPU)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) logical cores, $(free -g | awk '/Mem:/{print $2}') GB"
  echo "- libtorch: Debian libtorch-dev 1.13.1 (CPU), float32, $THREADS threads"
  echo "- command: \`bash benchmarks/pipeline.sh $THREADS\`"
  echo
  echo "## golden tiny model, 128x128"
  echo '```'
  dotnet "$bin" tiny tests/fixtures/golden/pipeline 128 20 "$THREADS"
  echo '```'
  echo
  echo "## SD 1.5 config (random weights), 256x256"
  echo '```'
  dotnet "$bin" sd15 "$CACHE" 256 20 "$THREADS"
  echo '```'
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
