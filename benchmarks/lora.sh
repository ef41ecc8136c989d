#!/usr/bin/env bash
# Per-sample LoRA throughput against no adapters and against swap-and-merge (tiny model and one SD 1.5 UNet step at
# 64x64 latents, random weights), and the time to load a rank-16 SD 1.5 adapter. Prints the tables that
# benchmarks/results/lora.md records.   bash benchmarks/lora.sh [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${1:-2}"
dotnet build benchmarks/lora -c Release -nologo -v q
bin=benchmarks/lora/bin/Release/net10.0/GenArt.Benchmarks.Lora.dll
# idle OpenMP threads sleep instead of spinning, so the CPU time counts work on a shared machine
export OMP_WAIT_POLICY=PASSIVE
echo "machine: $(lscpu | grep 'Model name' | cut -d: -f2 | xargs), $(nproc) cores; date $(date -u '+%Y-%m-%d %H:%M') UTC"
dotnet "$bin" load --iters 7 --threads "$THREADS"
dotnet "$bin" step tiny --iters 15 --threads "$THREADS"
dotnet "$bin" step sd15 --iters 1 --brief --threads "$THREADS"
