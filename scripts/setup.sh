#!/usr/bin/env bash
# Installs what GenArt needs on a fresh Debian/Ubuntu machine (run as root, or with sudo available).
# Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libtorch-dev libopenblas0-pthread cmake g++ make   # tensor engine and the native shim
  redis-server                                        # the queue (tests start their own)
  libpng-dev libturbojpeg0-dev pngcheck libicu72      # image intake, PNG checks, Unicode normalisation
  nghttp2-client python3-torch                        # load and reference tools for benchmarks
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -f tools/node/package-lock.json ] && [ ! -d tools/node/node_modules ]; then
  echo "setup: installing node tools (grpc-js, buf)"
  npm ci --prefix tools/node --no-audit --no-fund >/dev/null
fi
