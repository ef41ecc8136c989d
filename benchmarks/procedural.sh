#!/usr/bin/env bash
# Throughput of the procedural training-data generator and of the adherence scorer (one thread each), and
# how many clean held-out images the scorer names the right shape for. Writes benchmarks/results/procedural.md.
#   bash benchmarks/procedural.sh [images] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGES="${1:-1000}"
REPEATS="${2:-5}"
OUT=benchmarks/results/procedural.md
dotnet build benchmarks/procedural -c Release -nologo -v q
{
  echo "# Procedural data: generator and scorer throughput (CPU)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) logical cores, $(free -g | awk '/Mem:/{print $2}') GB"
  echo "- command: \`bash benchmarks/procedural.sh $IMAGES $REPEATS\`"
  echo
  echo '```'
  dotnet benchmarks/procedural/bin/Release/net10.0/GenArt.Benchmarks.Procedural.dll "$IMAGES" "$REPEATS"
  echo '```'
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
