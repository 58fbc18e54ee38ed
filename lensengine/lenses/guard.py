"""Runs a lens so that its faults cannot hurt the engine.

The lens runs in a worker thread of its own. The frame loop hands it a batch and waits at most ``timeout``
seconds. A lens that raises, returns the wrong shape or dtype, or does not answer in time is isolated: the
caller gets ``None`` (that frame passes through unchanged), the problem is logged once per kind (then at most
every ``log_every`` seconds with a count), and the engine goes on. A lens stuck past its timeout gets no new work
until its call returns.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import numpy as np

from lensengine.lens import FACE, LensSpec

log = logging.getLogger("lensengine.lens")


class RateLimitedLog:
    """Logs each distinct problem once, then a reminder with a count at most every ``every`` seconds."""

    def __init__(self, logger: logging.Logger, every: float = 10.0) -> None:
        self._log, self._every = logger, every
        self._seen: dict[str, list[float]] = {}  # message -> [last logged time, count since]
        self._lock = threading.Lock()

    def warning(self, message: str) -> None:
        now = time.monotonic()
        with self._lock:
            entry = self._seen.get(message)
            if entry is None:
                self._seen[message] = [now, 0]
                self._log.warning("%s", message)
                return
            entry[1] += 1
            if now - entry[0] >= self._every:
                self._log.warning("%s (%d more times)", message, entry[1])
                entry[0], entry[1] = now, 0


class LensRunner:
    """Calls one lens object in a worker thread with a time limit and checks what it returns."""

    def __init__(self, spec: LensSpec, lens: object, timeout: float = 1.0) -> None:
        self.spec, self.lens, self.timeout = spec, lens, timeout
        self.errors = RateLimitedLog(log)
        self.failures = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lens-{spec.name}")
        self._pending: Future | None = None

    def _problem(self, message: str) -> None:
        self.failures += 1
        self.errors.warning(f"lens {self.spec.name} ({self.spec.plugin or 'no plugin'}): {message}; frame passed through")

    def run(self, *args: np.ndarray) -> np.ndarray | None:
        """Face lens: run(crops, landmarks); frame lens: run(frame). None when the lens failed this time."""
        if self._pending is not None and not self._pending.done():
            self._problem(f"still busy with a call that took over {self.timeout:.1f} s")
            return None
        expected = args[0]
        self._pending = self._pool.submit(self.lens.apply, *args)
        try:
            result = self._pending.result(timeout=self.timeout)
        except FutureTimeout:
            self._problem(f"no answer within {self.timeout:.1f} s")
            return None
        except Exception as exc:  # the lens's bug, not the engine's
            self._problem(f"raised {type(exc).__name__}: {exc}")
            return None
        if not isinstance(result, np.ndarray) or result.shape != expected.shape or result.dtype != np.uint8:
            got = f"{result.dtype} {result.shape}" if isinstance(result, np.ndarray) else type(result).__name__
            self._problem(f"returned {got}, expected uint8 {expected.shape}")
            return None
        return result

    @property
    def is_face_lens(self) -> bool:
        return self.spec.kind == FACE

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        close = getattr(self.lens, "close", None)
        if callable(close):
            try:
                close()
            except Exception as exc:
                log.warning("lens %s: close() raised %s: %s", self.spec.name, type(exc).__name__, exc)
