"""The null sink: frames go nowhere. For benchmarks and for runs whose result is only the statistics."""

from __future__ import annotations

import numpy as np

from lensengine.sinks.base import Sink


class NullSink(Sink):
    """Counts frames and keeps a reference to the last one (after resizing) for inspection."""

    name = "null"
    live = False

    def __init__(self, width: int, height: int, fps: float) -> None:
        super().__init__(width, height, fps)
        self.frames_written = 0
        self.last_frame: np.ndarray | None = None

    def _send(self, frame_bgr: np.ndarray) -> None:
        self.frames_written += 1
        self.last_frame = frame_bgr

    def _release(self) -> None:
        """Nothing to free; the count and the last frame stay readable after closing."""
