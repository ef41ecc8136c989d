#!/usr/bin/env bash
# Measures the managed binding beside the same calls from C++ (the shim's gat_bench) and from PyTorch's Python
# front end (Debian's python3-torch, same libtorch 1.13 kernels), in one run, and writes
# benchmarks/results/torch-binding.md.
#   bash benchmarks/torch-binding.sh [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${1:-2}"
OUT=benchmarks/results/torch-binding.md
bash scripts/setup.sh
dotnet build benchmarks/GenArt.Benchmarks -c Release -nologo -v q
work=$(mktemp -d)

echo "== C++ (gat_bench over the same shim)"
src/GenArt.Torch/native/build/gat_bench "$THREADS" 5 | tee "$work/cpp.txt"

echo "== Python (torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'))"
/usr/bin/python3 - "$THREADS" <<'PY' | tee "$work/py.txt"
import sys, timeit, torch
torch.set_num_threads(int(sys.argv[1]))
a = torch.ones(16); b = torch.full((16,), 2.0)
n = 200000
best = min(timeit.repeat(lambda: a + b, number=n, repeat=7)) / n
print(f"add16 {best * 1e9:.1f} ns")
PY

echo "== C# (BenchmarkDotNet)"
# BenchmarkDotNet builds its runner from the project, so it starts in the project's folder.
( cd benchmarks/GenArt.Benchmarks && dotnet bin/Release/net10.0/GenArt.Benchmarks.dll \
    --filter '*TorchBindingBenchmarks*' --exporters json --artifacts "$work/bdn" >"$work/bdn.log" 2>&1 ) || { tail -50 "$work/bdn.log"; exit 1; }

echo "== C++ again"
src/GenArt.Torch/native/build/gat_bench "$THREADS" 5 | tee -a "$work/cpp.txt"

python3 - "$work" "$THREADS" "$OUT" <<'PY'
import datetime, glob, json, os, platform, re, subprocess, sys
work, threads, out = sys.argv[1], sys.argv[2], sys.argv[3]
# C++ ran before and after the C# run; keep its best of the two for each measurement.
cpp = {}
for name, value in re.findall(r"^(add16|conv2d|matmul) ([\d.]+)", open(f"{work}/cpp.txt").read(), re.M):
    v = float(value)
    better = (lambda a, b: a < b) if name == "add16" else (lambda a, b: a > b)
    if name not in cpp or better(v, float(cpp[name])): cpp[name] = value
py = dict(re.findall(r"^(\w+) ([\d.]+)", open(f"{work}/py.txt").read(), re.M))
report = json.load(open(glob.glob(f"{work}/bdn/results/*-report-full-compressed.json")[0]))
# Min, not Mean: the C++ side reports its best batch too, and on a shared machine the best is the least noisy.
cs = {b["Method"]: b["Statistics"]["Min"] for b in report["Benchmarks"]}
alloc = {b["Method"]: b.get("Memory", {}).get("BytesAllocatedPerOperation") for b in report["Benchmarks"]}
conv_flop, mm_flop = 2.0*2*320*64*64*320*9, 2.0*2048**3
cs_conv, cs_mm = conv_flop / cs["Conv2d"], mm_flop / cs["Matmul"]
cpu = next((l.split(":",1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
rows = [
  ("add of two 16-element tensors (ns/call, incl. handle create+dispose)", f"{cs['Add16']:.0f}", f"{float(cpp['add16']):.0f}", f"{float(py['add16']):.0f}",
   f"C#/Python = {cs['Add16']/float(py['add16']):.2f}x time"),
  ("conv2d 320->320 3x3, 2x320x64x64 (GFLOP/s)", f"{cs_conv:.1f}", cpp["conv2d"], "", f"C#/C++ = {cs_conv/float(cpp['conv2d']):.3f}"),
  ("matmul 2048^3 (GFLOP/s)", f"{cs_mm:.1f}", cpp["matmul"], "", f"C#/C++ = {cs_mm/float(cpp['matmul']):.3f}"),
]
with open(out, "w") as f:
    f.write("# GenArt.Torch binding: overhead and kernel speed\n\n")
    f.write(f"- date: {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC\n- machine: {cpu}, {os.cpu_count()} logical cores, {threads} libtorch threads\n")
    f.write("- libtorch: Debian libtorch-dev 1.13.1 (CPU, oneDNN, OpenBLAS via libopenblas0-pthread); Python: Debian python3-torch 1.13.1\n")
    f.write(f"- command: `bash benchmarks/torch-binding.sh {threads}`\n")
    f.write("- C#: BenchmarkDotNet 0.14.0, 10 iterations, fastest; C++: best batch of `gat_bench` (same shim exports), run before and after the C# run; Python: best of 7 x 200k `a + b`\n\n")
    f.write("| measurement | C# binding | C++ over the shim | PyTorch (Python) | ratio |\n|---|---|---|---|---|\n")
    for r in rows: f.write("| " + " | ".join(r) + " |\n")
    f.write(f"\nManaged allocation per Add16 call: {alloc.get('Add16')} bytes (the Tensor object).\n")
print(open(out).read())
PY
rm -rf "$work"
