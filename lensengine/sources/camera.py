"""Cameras: cv2.VideoCapture asking for MJPG and a one-frame buffer, reconnecting with back-off when unplugged.

The capture is made by an injectable factory (``open_capture``), so the reconnection logic can be tested with
a fake capture on machines that have no camera.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import math
import sys
from collections.abc import Callable, Iterator
from typing import Any

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.sources.base import EndOfStream, Source

logger = logging.getLogger("lensengine.sources")

CameraTarget = int | str
# Makes a capture for a camera index or device path; the result behaves like cv2.VideoCapture
# (isOpened, read, set, get, release).
CaptureFactory = Callable[[CameraTarget], Any]

FIRST_BACKOFF_S = 0.5
LONGEST_BACKOFF_S = 5.0
DEFAULT_CAMERA_FPS = 30.0


@contextlib.contextmanager
def _quiet_opencv() -> Iterator[None]:
    """Silence OpenCV's own log while probing cameras (it warns about every index that does not open)."""
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)


def open_capture(target: CameraTarget) -> cv2.VideoCapture:
    """The default capture factory: cv2.VideoCapture on a camera index or device path, quietly."""
    with _quiet_opencv():
        return cv2.VideoCapture(target)


def backoff_delays(first: float = FIRST_BACKOFF_S, longest: float = LONGEST_BACKOFF_S) -> Iterator[float]:
    """Waits between reconnection attempts: ``first``, doubling each time, never more than ``longest``."""
    delay = first
    while True:
        yield delay
        delay = min(delay * 2.0, longest)


def camera_name(target: CameraTarget) -> str:
    return f"camera {target}"


def _video_devices() -> list[str]:
    return sorted(glob.glob("/dev/video*")) if sys.platform.startswith("linux") else []


def _not_opened_message(target: CameraTarget, problem: str = "did not open") -> str:
    tried = f"index {target}" if isinstance(target, int) else f"device {target}"
    message = f"{camera_name(target)} {problem} (tried {tried}"
    if sys.platform.startswith("linux"):
        devices = _video_devices()
        message += f"; video devices present: {', '.join(devices) if devices else 'none'}"
    return (
        message + "); check it is plugged in and not used by another program, "
        "run `lensengine doctor` to list the cameras that work, or try `--input sample`"
    )


class CameraSource(Source):
    """A live camera. Asks for MJPG, a one-frame driver buffer, and ``size`` and ``fps`` when given; reports
    the size and rate the camera actually gives. When a read fails it logs once and reconnects inside
    ``read()`` with back-off (0.5 s doubling up to 5 s) until the camera is back or ``close()`` is called.
    """

    def __init__(
        self,
        target: CameraTarget,
        size: tuple[int, int] | None = None,
        fps: float | None = None,
        open_capture: CaptureFactory = open_capture,
        first_backoff_s: float = FIRST_BACKOFF_S,
        longest_backoff_s: float = LONGEST_BACKOFF_S,
    ) -> None:
        self._target = target
        self._requested_size = size
        self._requested_fps = fps
        self._open_capture = open_capture
        self._backoff = (first_backoff_s, longest_backoff_s)
        self._first_frame: np.ndarray | None = None
        capture = self._connect()
        if capture is None:
            raise LensEngineError(_not_opened_message(target))
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if width <= 0 or height <= 0:
            ok, frame = capture.read()
            if not ok or frame is None:
                capture.release()
                raise LensEngineError(_not_opened_message(target, "opened but gave no frame"))
            self._first_frame = frame
            height, width = frame.shape[:2]
        if size is not None and (width, height) != tuple(size):
            logger.warning(
                "%s gives %dx%d, not the %dx%d asked for; using %dx%d",
                camera_name(target),
                width,
                height,
                size[0],
                size[1],
                width,
                height,
            )
        rate = capture.get(cv2.CAP_PROP_FPS)
        if not (math.isfinite(rate) and 0 < rate <= 1000):
            rate = fps or DEFAULT_CAMERA_FPS
        self._capture: Any = capture
        super().__init__(camera_name(target), (width, height), rate, live=True)

    def _connect(self) -> Any:
        """A configured, open capture, or None when the camera does not open."""
        capture = self._open_capture(self._target)
        if capture is None or not capture.isOpened():
            if capture is not None:
                capture.release()
            return None
        capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if self._requested_size is not None:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._requested_size[0])
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._requested_size[1])
        if self._requested_fps is not None:
            capture.set(cv2.CAP_PROP_FPS, self._requested_fps)
        return capture

    def _read_raw(self) -> np.ndarray:
        if self._first_frame is not None:
            frame, self._first_frame = self._first_frame, None
            return frame
        delays = backoff_delays(*self._backoff)
        in_outage = False
        while True:
            if self._capture is not None:
                ok, frame = self._capture.read()
                if ok and frame is not None and frame.size:
                    if in_outage:
                        logger.info("%s is back", self.name)
                    return frame
                if not in_outage:
                    logger.warning(
                        "%s stopped giving frames (unplugged?); reconnecting every %g to %g s",
                        self.name,
                        *self._backoff,
                    )
                    in_outage = True
                self._capture.release()
                self._capture = None
            if self._closed.wait(next(delays)):
                raise EndOfStream(f"{self.name} is closed")
            self._capture = self._connect()

    def _release(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


def list_cameras(max_index: int = 10, open_capture: CaptureFactory = open_capture) -> list[dict]:
    """Try camera indexes 0..max_index-1, for ``lensengine doctor``.

    One dict per index: ``index``; ``path`` (``/dev/videoN`` where that device exists, else None); ``opened``
    (the capture opened); ``size`` ((width, height) of a frame read from it, or None when none came); ``ok``
    (opened and gave a frame: a camera that works).
    """
    cameras = []
    for index in range(max_index):
        path = f"/dev/video{index}"
        capture = open_capture(index)
        opened = bool(capture is not None and capture.isOpened())
        size = None
        if opened:
            ok, frame = capture.read()
            if ok and frame is not None:
                size = (int(frame.shape[1]), int(frame.shape[0]))
        if capture is not None:
            capture.release()
        cameras.append(
            {
                "index": index,
                "path": path if path in _video_devices() else None,
                "opened": opened,
                "size": size,
                "ok": size is not None,
            }
        )
    return cameras
