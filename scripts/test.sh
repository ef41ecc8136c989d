#!/usr/bin/env bash
# Sets up, builds and runs every test project; ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
dotnet build GenArt.sln -c Release -nologo -v q || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

results=$(mktemp -d)
rc=0
dotnet test GenArt.sln -c Release --no-build --logger "trx" --results-directory "$results" -- NUnit.NumberOfTestWorkers=1 || rc=$?

passed=0; failed=0
for f in "$results"/*.trx; do
  [ -f "$f" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$c"); x=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$c")
  passed=$((passed + p)); failed=$((failed + x))
done
rm -rf "$results"
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1   # a crashed test host counts as a failure
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
