#!/usr/bin/env bash
# Prompt adherence of a model: renders held-out prompts (seeds never trained on) and scores each image against its
# prompt (background colour, foreground colour, shape, count), then scores the VAE round trip of the same held-out
# images, the ceiling the VAE sets. Writes benchmarks/results/adherence.md.
#   bash benchmarks/adherence.sh [model dir = models/genart-tiny] [prompts = 200] [threads = 2]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-models/genart-tiny}"
COUNT="${2:-200}"
THREADS="${3:-2}"
OUT=benchmarks/results/adherence.md
dotnet build src/GenArt.Cli -c Release -nologo -v q
genart=src/GenArt.Cli/bin/Release/net10.0/genart.dll
{
  echo "# Prompt adherence (held-out prompts)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) logical cores, $(free -g | awk '/Mem:/{print $2}') GB"
  echo "- model: $MODEL; 20 steps of DPM++ 2M Karras, guidance 7.5 (the eval-adherence defaults)"
  echo "- command: \`bash benchmarks/adherence.sh $MODEL $COUNT $THREADS\`"
  echo "- targets: background colour >= 90%, foreground colour >= 80%, shape >= 70%"
  echo
  echo "## Renders"
  echo '```'
  dotnet "$genart" eval-adherence --model "$MODEL" --count "$COUNT" --threads "$THREADS"
  echo '```'
  echo
  echo "## VAE round trip of the same held-out images (the ceiling)"
  echo '```'
  dotnet "$genart" eval-adherence --model "$MODEL" --count "$COUNT" --threads "$THREADS" --vae-round-trip
  echo '```'
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
