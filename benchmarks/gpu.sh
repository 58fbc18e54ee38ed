#!/usr/bin/env bash
# The GPU checks in one short run (about 5-8 minutes on one H100/H200), for a machine with an NVIDIA GPU:
#   1. the backend conformance tests that need CUDA (torch CUDA FP16, CUDA graphs; TensorRT where installed)
#   2. per-face latency of U-Net ngf 64 at 128 and 256 px on the GPU backends (batch 1 and 4)
#   3. the pipeline at 1920x1080 with 5 faces, neural thug_glasses on the best GPU backend
# Results: benchmarks/results/conformance-gpu.txt, backends-cuda.md/.json, pipeline-gpu.md/.json.
# Run from a checkout whose environment has a CUDA build of torch: `make test` on that machine, then
#   bash benchmarks/gpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
out=benchmarks/results
mkdir -p "$out"
if ! command -v nvidia-smi >/dev/null || ! "$py" -c "import torch, sys; sys.exit(not torch.cuda.is_available())"; then
  echo "gpu.sh: no NVIDIA GPU usable by torch here: nothing to measure" >&2
  exit 2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/conformance-gpu.txt"
"$py" -m pytest -q -p no:cacheprovider -rs tests/inference/test_conformance.py tests/inference/test_create_backend.py \
  2>&1 | tee -a "$out/conformance-gpu.txt"
"$py" benchmarks/backends.py --device cuda --nets "unet ngf64" --runs 50 --out "$out"
"$py" benchmarks/pipeline.py --cases 1920x1080:5 --frames 300 --repeats 1 --no-baseline --backend auto --name pipeline-gpu \
  --out "$out"
echo "gpu.sh: wrote $out/conformance-gpu.txt, backends-cuda.md, pipeline-gpu.md"
