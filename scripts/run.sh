#!/usr/bin/env bash
# The main job: sets up a fresh machine, builds GenArt, and runs it.
# Today that is `genart doctor`: load libtorch, list devices and threads, measure conv2d/matmul speed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dotnet build src/GenArt.Cli -c Release -nologo -v q
exec dotnet src/GenArt.Cli/bin/Release/net10.0/genart.dll doctor "$@"
