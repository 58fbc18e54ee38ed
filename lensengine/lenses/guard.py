"""Runs a lens so that its faults cannot hurt the engine.

The lens runs in a worker thread of its own. The frame loop hands it a batch and waits at most ``timeout``
seconds. A lens that raises, returns the wrong shape (a face lens: the crops' shape, or the same with a fourth, alpha,
channel) or dtype, or does not answer in time is isolated: the
caller gets ``None`` (that frame passes through unchanged), the problem is logged once per kind (then at most
every ``log_every`` seconds with a count), and the engine goes on. A lens stuck past its timeout gets no new work
until its call returns. Whatever the lens raises is contained, ``SystemExit``, ``KeyboardInterrupt`` and
``GeneratorExit`` too; the worker is a daemon thread, so a lens stuck forever never keeps the process alive.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
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


class DaemonWorker:
    """One daemon thread that runs the calls handed to it in order (a ThreadPoolExecutor's threads are joined at
    interpreter exit, so a call that never returns would keep the process from ending)."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def submit(self, function, *args) -> Future:
        future: Future = Future()
        self._jobs.put((future, function, args))
        return future

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, function, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as exc:  # SystemExit, KeyboardInterrupt, GeneratorExit: the lens's, handed back
                future.set_exception(exc)

    def shutdown(self) -> None:
        """The thread ends after the call it is in (if it ever returns); later calls are not run."""
        self._jobs.put(None)


class LensRunner:
    """Calls one lens object in a worker thread with a time limit and checks what it returns."""

    def __init__(self, spec: LensSpec, lens: object, timeout: float = 1.0) -> None:
        self.spec, self.lens, self.timeout = spec, lens, timeout
        self.errors = RateLimitedLog(log)
        self.failures = 0
        self._worker = DaemonWorker(f"lens-{spec.name}")
        self._pending: Future | None = None

    def _problem(self, message: str) -> None:
        self.failures += 1
        self.errors.warning(
            f"lens {self.spec.name} ({self.spec.plugin or 'no plugin'}): {message}; frame passed through"
        )

    def run(self, *args: np.ndarray) -> np.ndarray | None:
        """Face lens: run(crops, landmarks); frame lens: run(frame). None when the lens failed this time."""
        if self._pending is not None and not self._pending.done():
            self._problem(f"still busy with a call that took over {self.timeout:.1f} s")
            return None
        expected = args[0]
        pending = self._pending = self._worker.submit(self.lens.apply, *args)
        try:
            result = pending.result(timeout=self.timeout)
        except FutureTimeout:
            self._problem(f"no answer within {self.timeout:.1f} s")
            return None
        except BaseException as exc:  # the lens's bug, not the engine's, whatever it raised
            if not (pending.done() and pending.exception() is exc):
                raise  # a real Ctrl-C that reached this thread while it waited: not the lens's
            self._problem(f"raised {type(exc).__name__}: {exc}")
            return None
        if not isinstance(result, np.ndarray) or result.dtype != np.uint8 or not self._shape_ok(result, expected):
            got = f"{result.dtype} {result.shape}" if isinstance(result, np.ndarray) else type(result).__name__
            alpha = f" or {(*expected.shape[:-1], 4)} (colour + alpha)" if self.is_face_lens else ""
            self._problem(f"returned {got}, expected uint8 {expected.shape}{alpha}")
            return None
        return result

    def _shape_ok(self, result: np.ndarray, expected: np.ndarray) -> bool:
        """The input's shape; a face lens may add a fourth, alpha, channel (``lensengine.lens.FaceLens``)."""
        if result.shape == expected.shape:
            return True
        return self.is_face_lens and result.shape == (*expected.shape[:-1], 4)

    @property
    def is_face_lens(self) -> bool:
        return self.spec.kind == FACE

    def close(self) -> None:
        self._worker.shutdown()
        close = getattr(self.lens, "close", None)
        if callable(close):
            try:
                close()
            except Exception as exc:
                log.warning("lens %s: close() raised %s: %s", self.spec.name, type(exc).__name__, exc)
