#!/usr/bin/env bash
# Unary gRPC throughput of GenArt.Rpc on this machine: 1 KiB request, 1 KiB response (echo), h2c on loopback.
# Loads the server with h2load (nghttp2-client) and with our own RpcChannel client, and reports calls/s with
# the CPU time used by the server and by the load client (from /proc, utime+stime).
#
# usage: benchmarks/rpc/run.sh [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-10}
PORT=${PORT:-50151}
command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client"; exit 1; }

dotnet build benchmarks/rpc/GenArt.Rpc.Bench -c Release -nologo -v q >/dev/null
BIN=benchmarks/rpc/GenArt.Rpc.Bench/bin/Release/net10.0/GenArt.Rpc.Bench
TMP=$(mktemp -d)
"$BIN" frame --size 1024 > "$TMP/frame.bin"

"$BIN" server --port "$PORT" > "$TMP/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do grep -q listening "$TMP/server.log" 2>/dev/null && break; sleep 0.2; done

TCK=$(getconf CLK_TCK)
cpu_of() { awk -v t="$TCK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
sys_ticks() { awk '/^cpu / { print $2+$3+$4+$5+$6+$7+$8, $5 }' /proc/stat; }
busy_since() { # $1 $2 = total idle at start
  read -r t i < <(sys_ticks); awk -v t0="$1" -v i0="$2" -v t="$t" -v i="$i" 'BEGIN{printf "%.0f%%", 100 - 100*(i-i0)/(t-t0)}'
}

h2() { # $1 = clients, $2 = streams per client, $3 = duration
  h2load -D "$3" -c "$1" -m "$2" -t 1 -d "$TMP/frame.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$PORT/genart.bench.Bench/Echo"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "dotnet: $(dotnet --version), h2load: $(h2load --version | head -1)"
echo
echo "warm-up (h2load 3 s)"; h2 4 32 3 >/dev/null

for cfg in "1 64" "4 32" "8 100"; do
  set -- $cfg
  s0=$(cpu_of $SERVER); read -r T0 I0 < <(sys_ticks)
  TIMEFORMAT='%U %S'
  { time h2 "$1" "$2" "$SECONDS_PER_RUN" > "$TMP/h2.out" ; } 2> "$TMP/h2.time"
  s1=$(cpu_of $SERVER); busy=$(busy_since "$T0" "$I0")
  read -r cu cs < "$TMP/h2.time"
  rps=$(grep -oP 'finished in .*?, \K[0-9.]+(?= req/s)' "$TMP/h2.out")
  ok=$(grep -oP 'requests: .*?\K[0-9]+(?= succeeded)' "$TMP/h2.out")
  echo "h2load -c $1 -m $2 -D $SECONDS_PER_RUN: $rps calls/s ($ok succeeded) | server CPU $(awk -v a="$s0" -v b="$s1" -v d="$SECONDS_PER_RUN" 'BEGIN{printf "%.2f s (%.0f%% of one core)", b-a, 100*(b-a)/d}') | client CPU $(awk -v u="$cu" -v s="$cs" -v d="$SECONDS_PER_RUN" 'BEGIN{printf "%.2f s (%.0f%% of one core)", u+s, 100*(u+s)/d}') | machine busy $busy"
done

echo
for c in 1 4; do
  s0=$(cpu_of $SERVER)
  out=$("$BIN" client --port "$PORT" --seconds "$SECONDS_PER_RUN" --concurrency 64 --connections $c)
  s1=$(cpu_of $SERVER)
  echo "GenArt.Rpc client, 64 concurrent calls, $c connection(s): $out | server CPU $(awk -v a="$s0" -v b="$s1" 'BEGIN{printf "%.2f s", b-a}') (includes the client's 2,000-call warm-up)"
done
out=$("$BIN" httpclient --port "$PORT" --seconds "$SECONDS_PER_RUN" --concurrency 64)
echo "baseline: plain HttpClient (SocketsHttpHandler) posting the same frame, 64 concurrent, 1 connection: $out"
