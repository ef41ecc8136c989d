#!/usr/bin/env bash
# Prompt adherence of a model: renders held-out prompts (seeds never trained on) and scores each image against its
# prompt (background colour, foreground colour, shape, count), then scores the VAE round trip of the same held-out
# images, the ceiling the VAE sets, and renders at each guidance scale of a sweep (the same prompts and seeds).
# Writes benchmarks/results/adherence.md.
#   bash benchmarks/adherence.sh [model dir = models/genart-tiny] [prompts = 200] [threads = 2] [sweep = "2 3 5 7.5"]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-models/genart-tiny}"
COUNT="${2:-200}"
THREADS="${3:-2}"
SWEEP="${4-2 3 5 7.5}"
OUT=benchmarks/results/adherence.md
dotnet build src/GenArt.Cli -c Release -nologo -v q
genart=src/GenArt.Cli/bin/Release/net10.0/genart.dll
{
  echo "# Prompt adherence (held-out prompts)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) logical cores, $(free -g | awk '/Mem:/{print $2}') GB"
  echo "- model: $MODEL; its own defaults (generation_config.json: $(tr -d ' \n' 2>/dev/null < "$MODEL/generation_config.json" || echo 'none, so 20 steps of DPM++ 2M Karras at guidance 7.5'))"
  echo "- command: \`bash benchmarks/adherence.sh $MODEL $COUNT $THREADS \"$SWEEP\"\`"
  echo "- targets: background colour >= 90%, foreground colour >= 80%, shape >= 70%"
  echo
  echo "## Renders with the model's defaults"
  echo '```'
  dotnet "$genart" eval-adherence --model "$MODEL" --count "$COUNT" --threads "$THREADS"
  echo '```'
  echo
  echo "## VAE round trip of the same held-out images (the ceiling)"
  echo '```'
  dotnet "$genart" eval-adherence --model "$MODEL" --count "$COUNT" --threads "$THREADS" --vae-round-trip
  echo '```'
  for g in $SWEEP; do
    echo
    echo "## Renders at guidance $g"
    echo '```'
    dotnet "$genart" eval-adherence --model "$MODEL" --count "$COUNT" --threads "$THREADS" --guidance "$g" | head -5
    echo '```'
  done
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
