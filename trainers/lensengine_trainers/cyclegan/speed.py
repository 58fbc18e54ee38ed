"""How fast a face-lens pack runs on this machine: ONNX Runtime on the CPU, one face per call.

The timed call is the backend's ``run`` (normalise, network, round back to 8 bits), as the engine makes it
for a frame with one face: 3 warm-up runs, then ``runs`` timed ones. The minimum shows the speed without other
processes competing for the cores; the median is what a user would see on a similar, similarly busy machine.
"""

from __future__ import annotations

import time

import numpy as np

from lensengine.inference import create_backend
from lensengine.inference.cpu_cores import physical_cpu_cores
from lensengine.packs.lens_pack import LensPack

WARMUP_RUNS = 3


def face_lens_speed(pack: LensPack, crop: np.ndarray, runs: int = 30) -> dict:
    """{"backend", "threads", "runs", "median_ms", "min_ms"} of one ``crop`` (S x S x 3 uint8) through ``pack``."""
    backend = create_backend(pack, "onnxruntime", device="cpu", max_batch=1)
    try:
        batch = np.ascontiguousarray(crop[None])
        for _ in range(WARMUP_RUNS):
            backend.run(batch)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            backend.run(batch)
            times.append((time.perf_counter() - start) * 1000.0)
    finally:
        backend.close()
    return {
        "backend": "onnxruntime cpu",
        "threads": physical_cpu_cores(),
        "runs": runs,
        "median_ms": float(np.median(times)),
        "min_ms": float(np.min(times)),
    }
