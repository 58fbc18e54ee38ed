"""The sink contract: where finished frames go (virtual camera, window, video file, nowhere).

A sink is opened for one frame size and rate. ``write`` takes HxWx3 uint8 BGR frames; a frame of another
size is resized to the opened size rather than refused. ``poll_events`` hands over user input (only the
window has any). ``close`` may be called any number of times; a sink is also a context manager.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.sinks.frame_fit import resize_to


class Sink(ABC):
    """Base of all sinks. Subclasses set ``name`` and ``live`` and implement ``_send`` and ``_release``.

    ``live`` is True for sinks that a person or another program consumes in real time (virtual camera,
    window); the engine then drops frames to keep latency low. File and null sinks are not live: they take
    every frame, however long it takes.
    """

    name: str
    live: bool

    def __init__(self, width: int, height: int, fps: float) -> None:
        if width <= 0 or height <= 0:
            raise LensEngineError(f"output size must be positive, got {width}x{height}; pass a real frame size")
        if not fps > 0:
            raise LensEngineError(f"output fps must be positive, got {fps}; pass the source's frame rate")
        self.width, self.height, self.fps = int(width), int(height), float(fps)
        self.closed = False

    def write(self, frame_bgr: np.ndarray) -> None:
        """Output one HxWx3 uint8 BGR frame, resized to the sink's size first if it differs."""
        if self.closed:
            raise LensEngineError(f"the {self.name} output is closed; open a new one to write more frames")
        self._send(resize_to(frame_bgr, self.width, self.height))

    def poll_events(self) -> list[str]:
        """User input since the last call ("next", "prev", "toggle", "quit", "lens:<k>"); none by default."""
        return []

    def close(self) -> None:
        """Release the output (finish the file, free the camera, close the window); safe to call again."""
        if not self.closed:
            self.closed = True
            self._release()

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    @abstractmethod
    def _send(self, frame_bgr: np.ndarray) -> None:
        """Output a frame that already has the sink's ``width`` x ``height``."""

    @abstractmethod
    def _release(self) -> None:
        """Free what the sink holds; called exactly once."""
