#!/usr/bin/env bash
# The main job: set up a fresh machine, build GenArt, serve the default model (models/genart-tiny) and render
# an image through the gRPC API, the way a client would.
#
# usage: bash scripts/run.sh [--model DIR] [--prompt TEXT] [--out FILE] [--port N] [--keep-serving]
#   --model         a diffusers folder or single-file checkpoint to serve (default: models/genart-tiny)
#   --prompt        what to render (default: "a red circle on a blue background")
#   --out           where the PNG goes (default: out.png)
#   --port          gRPC port on 127.0.0.1 (default: 50051; metrics on port + 1)
#   --keep-serving  leave the server running after the render (Ctrl+C stops it)
set -euo pipefail
cd "$(dirname "$0")/.."

model=models/genart-tiny
prompt="a red circle on a blue background"
out=out.png
port=50051
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --prompt) prompt=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --keep-serving) keep=1; shift ;;
    *) echo "unknown option: $1 (see the top of scripts/run.sh)" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
dotnet build src/GenArt.Cli -c Release -nologo -v q
cli=src/GenArt.Cli/bin/Release/net10.0/genart.dll
genart() { dotnet "$cli" "$@"; }

# A local tenant and its API key, made once and kept (mode 600) beside the server's data.
data=data
mkdir -p "$data"
if [ ! -s "$data/local.key" ]; then
  (umask 077; genart keys create --tenant local --data "$data" > "$data/local.key")
fi
key=$(tail -n 1 "$data/local.key")

log=$(mktemp)
# dotnet itself in the background (not the shell function), so that $! is the server and the trap stops it
dotnet "$cli" serve --model "$model" --data "$data" --port "$port" --metrics-port $((port + 1)) > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT
echo "starting the server (model $model) ..."
for _ in $(seq 600); do
  grep -q '^serving ' "$log" && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "the server exited" >&2; exit 1; }
  sleep 0.1
done
grep '^serving ' "$log" || { cat "$log" >&2; echo "the server did not start within 60 s" >&2; exit 1; }

genart generate "$prompt" --server "127.0.0.1:$port" --api-key "$key" --seed 42 -o "$out"
echo "wrote $out"

if [ "$keep" = 1 ]; then
  echo "serving on 127.0.0.1:$port with API key in $data/local.key; Ctrl+C to stop"
  wait "$server"
fi
