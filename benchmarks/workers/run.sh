#!/usr/bin/env bash
# Worker scaling: images per second with 1 and with 2 `genart worker` processes (each --threads 1) against one
# redis-server and one `genart serve --redis` front end, on the same job set (same prompts, seeds, size, steps).
#
#   bash benchmarks/workers/run.sh MODEL_DIR [JOBS=32] [STEPS=10] [SIZE=128] [MAX_WORKERS=2] [OUT=benchmarks/results/worker-scaling.md]
#
# The clock runs from the first request to the last image (`genart batch` with every job in flight at once), after
# every worker has loaded its model and a 4-job warm-up batch has gone through. Each run gets a fresh Redis (AOF, appendfsync everysec, as deployed).
# COALESCE_MS (default 0: every job is its own batch) sets the front end's --coalesce-ms; with the server's default
# of 20 the front end groups jobs that wait behind busy workers into batches of up to --max-batch 8.
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL="${1:?usage: run.sh MODEL_DIR [JOBS] [STEPS] [SIZE] [MAX_WORKERS] [OUT]}"
JOBS="${2:-32}"; STEPS="${3:-10}"; SIZE="${4:-128}"; MAX_WORKERS="${5:-2}"
OUT="${6:-benchmarks/results/worker-scaling.md}"
COALESCE_MS="${COALESCE_MS:-0}"
[ -e "$MODEL" ] || { echo "model '$MODEL' does not exist" >&2; exit 2; }
MODEL="$(cd "$(dirname "$MODEL")" && pwd)/$(basename "$MODEL")"

dotnet build src/GenArt.Cli -c Release -nologo -v q >/dev/null
GENART=(dotnet "$PWD/src/GenArt.Cli/bin/Release/net10.0/genart.dll")
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# wait_for FILE PATTERN SECONDS: until a line of FILE matches (a started process prints it), or fail.
wait_for() {
  local deadline=$((SECONDS + $3))
  until grep -qE "$2" "$1" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then echo "timed out waiting for /$2/ in $1:" >&2; tail -20 "$1" >&2; exit 1; fi
    sleep 0.2
  done
}

# The job set: JOBS prompts with fixed seeds, identical for every run.
for i in $(seq 1 "$JOBS"); do
  printf '{"prompt": "shape %d on a plain background", "seed": %d, "steps": %d, "width": %d, "height": %d, "scheduler": "ddim"}\n' \
    "$i" "$i" "$STEPS" "$SIZE" "$SIZE"
done > "$WORK/jobs.jsonl"
# A short untimed batch first, so the front end's, the workers' and the client's first-call costs (JIT compilation,
# connection set-up) stay out of the timed, steady-state figure.
for i in $(seq 1 4); do
  printf '{"prompt": "warm-up %d", "seed": %d, "steps": %d, "width": %d, "height": %d, "scheduler": "ddim"}\n' \
    "$i" "$((100000 + i))" "$STEPS" "$SIZE" "$SIZE"
done > "$WORK/warmup.jsonl"

# run N: prints "N IMAGES SECONDS"
run() {
  local n=$1 dir="$WORK/run-$1"
  mkdir -p "$dir"
  local rport; rport=$(free_port)
  redis-server --port "$rport" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly yes --appendfsync everysec \
    --daemonize no > "$dir/redis.log" 2>&1 &
  PIDS+=($!)
  wait_for "$dir/redis.log" "Ready to accept connections" 30
  local key; key=$("${GENART[@]}" keys create --tenant bench --data "$dir")
  "${GENART[@]}" serve --redis "redis://127.0.0.1:$rport" --port 0 --metrics-port 0 --model "$MODEL" --data "$dir" \
    --coalesce-ms "$COALESCE_MS" > "$dir/serve.log" 2>&1 &
  PIDS+=($!)
  for w in $(seq 1 "$n"); do
    "${GENART[@]}" worker --redis "redis://127.0.0.1:$rport" --device cpu --threads 1 --model-dir "$MODEL" \
      --consumer-id "bench-$w" > "$dir/worker-$w.log" 2>&1 &
    PIDS+=($!)
  done
  wait_for "$dir/serve.log" "^serving " 120
  for w in $(seq 1 "$n"); do wait_for "$dir/worker-$w.log" "^worker \S+ ready: " 120; done
  local port; port=$(sed -nE 's/^serving .* on [0-9.]+:([0-9]+) .*/\1/p' "$dir/serve.log")
  "${GENART[@]}" batch "$WORK/warmup.jsonl" --out "$dir/warmup" --concurrency 4 --server "127.0.0.1:$port" --api-key "$key" \
    > "$dir/warmup.log" 2>&1 || { echo "warm-up batch failed with $n worker(s):" >&2; cat "$dir/warmup.log" >&2; exit 1; }
  local start end
  start=$(date +%s.%N)
  local cpu_before; cpu_before=$(cpu_seconds "${PIDS[@]}")
  /usr/bin/time -f '%U %S' -o "$dir/batch.time" "${GENART[@]}" batch "$WORK/jobs.jsonl" --out "$dir/out" --concurrency "$JOBS" \
    --server "127.0.0.1:$port" --api-key "$key" \
    > "$dir/batch.log" 2>&1 || { echo "batch failed with $n worker(s):" >&2; cat "$dir/batch.log" >&2; exit 1; }
  end=$(date +%s.%N)
  # CPU seconds each process spent during the timed part: redis-server, the front end, each worker, the client.
  local cpu_after; cpu_after=$(cpu_seconds "${PIDS[@]}")
  local cpu; cpu=$(python3 -c "
b = [float(x) for x in '$cpu_before'.split()]; a = [float(x) for x in '$cpu_after'.split()]
u, s = open('$dir/batch.time').read().split()[-2:]
print(' '.join(f'{y - x:.1f}' for x, y in zip(b, a)) + f' {float(u) + float(s):.1f}')")
  local images; images=$(find "$dir/out" -name '*.png' | wc -l)
  [ "$images" -eq "$JOBS" ] || { echo "expected $JOBS images, got $images" >&2; exit 1; }
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
  echo "$n $images $(python3 -c "print(f'{$end - $start:.2f}')") $cpu"
}

# cpu_seconds PID...: user+system CPU seconds of each process so far (/proc/PID/stat fields 14 and 15).
cpu_seconds() {
  local tck; tck=$(getconf CLK_TCK)
  for p in "$@"; do awk -v t="$tck" '{printf "%.2f ", ($14 + $15) / t}' "/proc/$p/stat"; done
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RESULTS=()
for n in $(seq 1 "$MAX_WORKERS"); do RESULTS+=("$(run "$n")"); done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "## Run of $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) logical cores, $(free -g | awk '/Mem:/{print $2}') GB"
  echo "- load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER"
  echo "- model: \`$(basename "$MODEL")\`, $JOBS jobs of 1 image, ${SIZE}x${SIZE}, $STEPS DDIM steps; front end \`--coalesce-ms $COALESCE_MS\`; workers \`--device cpu --threads 1\`"
  echo "- command: \`bash benchmarks/workers/run.sh $*\`"
  echo
  echo "| workers | images | wall s | images/s | vs 1 worker | CPU s: redis, front end, workers, client |"
  echo "|---|---|---|---|---|---|"
  base=""
  for r in "${RESULTS[@]}"; do
    read -r n images secs cpu <<<"$r"
    ips=$(python3 -c "print(f'{$images / $secs:.2f}')")
    [ -z "$base" ] && base=$ips
    echo "| $n | $images | $secs | $ips | $(python3 -c "print(f'{$ips / $base:.2f}x')") | ${cpu// /, } |"
  done
  echo
} > "$WORK/section.md"
cat "$WORK/section.md"
if [ -n "$OUT" ]; then
  [ -f "$OUT" ] || printf '# Worker scaling: images per second with 1 and 2 workers\n\n' > "$OUT"
  cat "$WORK/section.md" >> "$OUT"
fi
