"""What every frame source is: the Source base class and the EndOfStream signal.

A source hands out frames one at a time with ``read()``. Subclasses implement ``_read_raw()`` (the next frame
in whatever layout the device or file gives) and, when they hold one, ``_release()`` (let go of the device or
file). The base class runs every frame through ``to_bgr`` and to the source's ``size``, and makes ``close()``
safe to call from another thread while a ``read()`` is blocked.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod

import numpy as np

from lensengine.sources.frame_format import to_bgr
from lensengine.util.resize import resize


class EndOfStream(Exception):
    """``read()`` has no more frames: a file or clip that does not loop has ended, or the source was closed."""


class Source(ABC):
    """A stream of HxWx3 uint8 BGR frames.

    name: what the user asked for, for messages (``"camera 0"``, ``"clip.mp4"``, ``"sample:2"``).
    size: (width, height) of every frame ``read()`` returns.
    fps: the frame rate: the camera's, the file's (30 when it has none) or the one asked for.
    live: True for cameras (frames arrive in real time whether or not they are read); False for files,
      images and the sample clip, whose frames the engine paces itself at ``fps``.
    """

    def __init__(self, name: str, size: tuple[int, int], fps: float, live: bool) -> None:
        self.name = name
        self.size = (int(size[0]), int(size[1]))
        self.fps = float(fps)
        self.live = live
        self._closed = threading.Event()
        self._in_use = threading.Lock()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def read(self) -> np.ndarray:
        """The next frame (blocking). Raises EndOfStream at the end of a non-looping stream or once closed."""
        try:
            with self._in_use:
                if self._closed.is_set():
                    raise EndOfStream(f"{self.name} is closed")
                raw = self._read_raw()
        finally:
            # close() may have come while this read held the device; the lock is free now, so let it go here.
            if self._closed.is_set():
                self._release_if_free()
        if self._closed.is_set():
            raise EndOfStream(f"{self.name} is closed")
        return self._fit(to_bgr(raw))

    def close(self) -> None:
        """Let go of the device or file. Idempotent; a read() blocked in another thread raises EndOfStream."""
        self._closed.set()
        self._release_if_free()

    def _release_if_free(self) -> None:
        if self._in_use.acquire(blocking=False):
            try:
                self._release()
            finally:
                self._in_use.release()

    def _fit(self, frame: np.ndarray) -> np.ndarray:
        return resize(frame, *self.size)

    @abstractmethod
    def _read_raw(self) -> np.ndarray:
        """The next frame as the device or file gives it; raise EndOfStream when there is none.

        Runs with the source's lock held. Waits (back-off, pacing) should use ``self._closed.wait(seconds)``
        and raise EndOfStream when it returns True, so that close() ends them at once.
        """

    def _release(self) -> None:  # noqa: B027 (a hook with nothing to do by default, not an abstract method)
        """Let go of the device or file; called once the source is closed and no read is running. Idempotent.

        Sources that hold a device or a file override it; the others have nothing to let go of.
        """

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        width, height = self.size
        live = " live" if self.live else ""
        return f"<{type(self).__name__} {self.name!r} {width}x{height} @ {self.fps:g} fps{live}>"
