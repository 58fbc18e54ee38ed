"""Whether this machine has an NVIDIA GPU at all: without one, hints about TensorRT and CUDA are noise."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

_DRIVER_GPUS = Path("/proc/driver/nvidia/gpus")  # one folder per GPU where NVIDIA's Linux driver is loaded


@cache
def nvidia_gpu_present() -> bool:
    """True where NVIDIA's driver lists a GPU or ``nvidia-smi`` is installed (Windows, and Linux with the tools)."""
    try:
        if _DRIVER_GPUS.is_dir() and any(_DRIVER_GPUS.iterdir()):
            return True
    except OSError:
        pass
    return shutil.which("nvidia-smi") is not None
