"""The live preview: a tap on the engine's output, and a JPEG encoder that never slows the output down.

``TapSink`` stands between the frame loop and the real sink: it passes every frame on and only keeps a reference
to the newest one (no copy, no conversion on the loop's thread). ``PreviewEncoder`` is a separate thread at a
lower OS priority that encodes the newest frame at preview size, at most ``max_fps`` times a second, only while
someone watches, and backs off when the engine is busy: when encoding would take more than ``max_share`` of a
core, or when the engine has dropped frames since the last encode. So the preview is what gets dropped first.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable

import cv2
import numpy as np

from lensengine.sinks.base import Sink


def lower_thread_priority(niceness: int = 10) -> None:
    """Make the calling thread yield the CPU to the engine's threads (Linux: per-thread nice value)."""
    with contextlib.suppress(Exception):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


class TapSink(Sink):
    """Feeds ``inner`` and remembers the newest frame for the preview; ``inner`` may be replaced while running
    (``replace``, e.g. a new output size). It does not close ``inner``: whoever opened it does."""

    live = False

    def __init__(self, inner: Sink) -> None:
        super().__init__(inner.width, inner.height, inner.fps)
        self.inner = inner
        self.live = inner.live
        self.latest: np.ndarray | None = None
        self.sequence = 0
        self.new_frame = threading.Event()
        self.listeners: list[Callable[[np.ndarray], None]] = []  # called on the loop's thread (tests record)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.inner.name

    def write(self, frame_bgr: np.ndarray) -> None:
        with self._lock:
            self.inner.write(frame_bgr)
        self.latest = frame_bgr
        self.sequence += 1
        self.new_frame.set()
        for listener in self.listeners:
            listener(frame_bgr)

    def replace(self, open_new: Callable[[], Sink]) -> Sink:
        """Swap in the sink ``open_new()`` returns, between two frames; returns the old sink (not closed)."""
        with self._lock:
            new = open_new()
            old, self.inner = self.inner, new
            self.width, self.height = new.width, new.height
        return old

    def poll_events(self) -> list[str]:
        return self.inner.poll_events()

    def set_overlay(self, text: str) -> None:
        set_overlay = getattr(self.inner, "set_overlay", None)
        if callable(set_overlay):
            set_overlay(text)

    def _send(self, frame_bgr: np.ndarray) -> None:  # write() is overridden: frames go to inner as they are
        self.inner.write(frame_bgr)

    def _release(self) -> None:
        """The tap holds nothing of its own."""


def preview_size(width: int, height: int, longest: int) -> tuple[int, int]:
    """(w, h) with the frame's aspect and at most ``longest`` pixels on the longer side (never enlarged)."""
    scale = min(1.0, longest / max(width, height))
    return max(2, round(width * scale)), max(2, round(height * scale))


class PreviewEncoder(threading.Thread):
    """Encodes the tap's newest frame as JPEG for the page; ``jpeg`` and ``sequence`` are the latest result."""

    def __init__(
        self,
        tap: TapSink,
        dropped: Callable[[], int] = lambda: 0,
        max_fps: float = 15.0,
        longest: int = 640,
        quality: int = 78,
        max_share: float = 0.25,
        idle_after_s: float = 5.0,
    ) -> None:
        super().__init__(name="studio-preview", daemon=True)
        self.tap, self.dropped = tap, dropped
        self.max_fps, self.longest, self.quality = max_fps, longest, quality
        self.max_share, self.idle_after_s = max_share, idle_after_s
        self.jpeg: bytes | None = None
        self.sequence = 0
        self.encoded = 0
        self.skipped_busy = 0
        self.encode_ms = 0.0
        self.viewers = 0
        self._last_wanted = time.monotonic()
        self._halt = threading.Event()
        self._cond = threading.Condition()

    def wanted(self) -> None:
        """Someone asked for a picture: keep encoding for ``idle_after_s`` seconds."""
        self._last_wanted = time.monotonic()

    def stop(self) -> None:
        self._halt.set()
        with self._cond:
            self._cond.notify_all()

    @property
    def stopped(self) -> bool:
        return self._halt.is_set()

    def wait_newer(self, sequence: int, timeout: float) -> bool:
        """Wait until a frame newer than ``sequence`` is encoded; False on timeout or stop."""
        with self._cond:
            self._cond.wait_for(lambda: self.sequence > sequence or self._halt.is_set(), timeout)
            return self.sequence > sequence

    def run(self) -> None:
        lower_thread_priority()
        interval = 1.0 / self.max_fps
        last_seen, last_dropped = 0, self.dropped()
        while not self._halt.is_set():
            started = time.monotonic()
            self.tap.new_frame.wait(0.5)
            self.tap.new_frame.clear()
            frame, sequence = self.tap.latest, self.tap.sequence
            watched = self.viewers > 0 or started - self._last_wanted < self.idle_after_s
            if frame is None or sequence == last_seen or not watched:
                continue
            dropped = self.dropped()
            busy = dropped > last_dropped
            last_dropped = dropped
            t0 = time.perf_counter()
            height, width = frame.shape[:2]
            small = cv2.resize(frame, preview_size(width, height, self.longest), interpolation=cv2.INTER_AREA)
            ok, data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
            spent = time.perf_counter() - t0
            self.encode_ms = spent * 1000.0
            last_seen = sequence
            if ok:
                with self._cond:
                    self.jpeg, self.sequence = data.tobytes(), self.sequence + 1
                    self.encoded += 1
                    self._cond.notify_all()
            # at most max_fps, at most max_share of a core, and half the rate while the engine drops frames
            pause = max(interval, spent / self.max_share) * (2.0 if busy else 1.0)
            if busy:
                self.skipped_busy += 1
            self._halt.wait(max(0.0, started + pause - time.monotonic()))
