"""Inference backends: run a lens pack's network on whatever this machine has.

    backend = create_backend(pack)                 # auto: the fastest that is installed and works
    out = backend.run(crops)                       # (N, S, S, 3) uint8 -> (N, S*scale, S*scale, 3) uint8

``auto`` tries, in order: TensorRT (CUDA), torch on CUDA, ONNX Runtime (CUDA, then CPU), torch on the CPU,
and logs its choice and why the ones before it were passed over (logger ``lensengine.inference``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lensengine.errors import LensEngineError
from lensengine.inference.base import InferenceBackend
from lensengine.inference.nvidia import nvidia_gpu_present
from lensengine.inference.onnxruntime_backend import OnnxRuntimeBackend
from lensengine.inference.tensorrt_backend import TensorRTBackend, build_engine_ahead, is_engine_cached
from lensengine.inference.torch_backend import TorchBackend

if TYPE_CHECKING:
    from lensengine.packs import LensPack

__all__ = [
    "BACKENDS",
    "auto_choice",
    "InferenceBackend",
    "OnnxRuntimeBackend",
    "TensorRTBackend",
    "TorchBackend",
    "backend_report",
    "build_engine_ahead",
    "create_backend",
    "tensorrt_needs_first_build",
]

log = logging.getLogger("lensengine.inference")

BACKENDS: dict[str, type[InferenceBackend]] = {
    cls.name: cls for cls in (TensorRTBackend, TorchBackend, OnnxRuntimeBackend)
}

# (backend, device) in the order ``auto`` prefers them: fastest first.
AUTO_ORDER = (
    ("tensorrt", "cuda"),
    ("torch", "cuda"),
    ("onnxruntime", "cuda"),
    ("onnxruntime", "cpu"),
    ("torch", "cpu"),
)


def backend_report() -> list[tuple[str, bool, str]]:
    """(name, usable, reason) for every backend, for ``lensengine doctor``."""
    return [(name, *cls.probe()) for name, cls in BACKENDS.items()]


def create_backend(
    pack: LensPack, backend: str = "auto", device: str | None = None, max_batch: int = 4, skip: tuple[str, ...] = ()
) -> InferenceBackend:
    """Load ``pack`` on ``backend`` ("auto", "tensorrt", "torch", "onnxruntime").

    ``device`` None lets the backend (or auto) choose: CUDA where the backend can use it, else the CPU. A named
    backend that cannot run here raises LensEngineError saying why and what to install. ``skip`` names backends
    ``auto`` must pass over (e.g. TensorRT while its engine is still being built).
    """
    if backend != "auto":
        if backend not in BACKENDS:
            raise LensEngineError(f"unknown backend {backend!r}: choose auto, {', '.join(BACKENDS)}")
        usable, reason = BACKENDS[backend].probe()
        if not usable:
            raise LensEngineError(f"backend {backend} is not available: {reason}")
    candidates = [
        (name, device or candidate_device)
        for name, candidate_device in AUTO_ORDER
        if backend in ("auto", name)
        and name not in skip
        and (device is None or device.split(":")[0] == candidate_device)
    ]
    if not candidates and backend == "auto":
        raise LensEngineError(f"no backend runs on device {device!r}: use cpu or cuda")
    return _create_first(pack, candidates or [(backend, device)], max_batch)


def auto_choice() -> str:
    """Which backend ``auto`` would try first here, as "name on device" (for ``lensengine lenses``)."""
    for name, device in AUTO_ORDER:
        cls = BACKENDS[name]
        if cls.probe()[0] and cls.supports(device)[0]:
            return f"{name} on {device}"
    return "none available (see lensengine doctor)"


def tensorrt_needs_first_build(pack: LensPack, max_batch: int) -> bool:
    """Whether ``auto`` would pick TensorRT here but would first have to build an engine for minutes."""
    usable = TensorRTBackend.probe()[0] and TensorRTBackend.supports("cuda")[0]
    return usable and not is_engine_cached(pack, max_batch)


def _create_first(pack: LensPack, candidates: list[tuple[str, str]], max_batch: int) -> InferenceBackend:
    """The first (backend, device) candidate that probes, supports the device and loads the pack."""
    passed_over = []
    for name, device in candidates:
        cls = BACKENDS[name]
        usable, reason = cls.probe()
        if usable:
            usable, reason = cls.supports(device)
        if usable:
            try:
                chosen = cls(pack, device=device, max_batch=max_batch)
            except LensEngineError as exc:
                usable, reason = False, str(exc)
        if not usable:
            passed_over.append(f"{name} on {device}: {reason}")
            continue
        # Why CUDA backends were passed over only interests a machine with an NVIDIA GPU; elsewhere it is debug.
        shown = passed_over if nvidia_gpu_present() else [p for p in passed_over if " on cuda" not in p]
        why = f" (passed over: {'; '.join(shown)})" if shown else ""
        log.info("backend %s on %s for lens %r%s", name, device, pack.name, why)
        if len(shown) < len(passed_over):
            log.debug("passed over for lens %r: %s", pack.name, "; ".join(passed_over))
        return chosen
    raise LensEngineError(f"no backend can run lens {pack.name!r}: {'; '.join(passed_over)}")
