"""Serving frames while a first TensorRT engine builds.

A first TensorRT build takes minutes. When ``auto`` would pick TensorRT but no engine for this pack is cached
yet, the lens starts on the next backend in ``auto``'s order, the engine builds in a background thread (with its
progress bar), and the lens moves to TensorRT when the build is done. A failed build is logged and the lens
stays on the fallback.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from lensengine.inference.base import InferenceBackend

log = logging.getLogger("lensengine.inference")


class SwappableBackend:
    """Holds the backend in use; ``swap`` replaces it between two ``run`` calls and closes the old one."""

    def __init__(self, backend: InferenceBackend) -> None:
        self._backend = backend
        self._lock = threading.Lock()

    @property
    def current(self) -> InferenceBackend:
        return self._backend

    def run(self, crops):
        with self._lock:
            return self._backend.run(crops)

    def swap(self, backend: InferenceBackend) -> None:
        with self._lock:
            old, self._backend = self._backend, backend
        old.close()

    def close(self) -> None:
        with self._lock:
            self._backend.close()


def build_in_background(target: SwappableBackend, build: Callable[[], InferenceBackend], what: str) -> threading.Thread:
    """Run ``build`` (slow) in a daemon thread and swap its result into ``target`` when it succeeds."""

    def work() -> None:
        try:
            backend = build()
        except Exception as exc:  # the fallback keeps serving; the user learns why TensorRT is not used
            log.warning(
                "TensorRT build for %s failed (%s: %s); staying on %s",
                what,
                type(exc).__name__,
                exc,
                target.current.name,
            )
            return
        log.info("TensorRT engine for %s ready; switching from %s", what, target.current.name)
        target.swap(backend)

    thread = threading.Thread(target=work, name=f"trt-build-{what}", daemon=True)
    thread.start()
    return thread
