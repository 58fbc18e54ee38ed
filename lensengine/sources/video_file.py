"""Video files: cv2.VideoCapture on a file, optionally looping, paced by the engine at the file's frame rate."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.sources.base import EndOfStream, Source

DEFAULT_FILE_FPS = 30.0


def _open(path: Path) -> cv2.VideoCapture:
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise LensEngineError(
            f"OpenCV cannot open {path} as a video; convert it to .mp4 or .avi (for example with "
            "`ffmpeg -i IN -c:v mjpeg OUT.avi`) or give an image, a camera index or `sample`"
        )
    return capture


class VideoFileSource(Source):
    """Frames of a video file. ``size`` resizes them; ``fps`` overrides the file's rate (30 when the file has
    none); ``loop`` starts again from the first frame at the end instead of raising EndOfStream."""

    def __init__(
        self, path: str | Path, size: tuple[int, int] | None = None, fps: float | None = None, loop: bool = False
    ) -> None:
        self._path = Path(path)
        if not self._path.is_file():
            raise LensEngineError(f"video file {self._path} does not exist; check the path")
        self._capture: cv2.VideoCapture | None = _open(self._path)
        ok, first = self._capture.read()
        if not ok or first is None:
            self._capture.release()
            raise LensEngineError(
                f"{self._path} has no frame OpenCV can decode; re-encode it (for example "
                "`ffmpeg -i IN -c:v mjpeg OUT.avi`) or give another source"
            )
        self._first_frame: np.ndarray | None = first
        self._loop = loop
        file_fps = self._capture.get(cv2.CAP_PROP_FPS)
        if not (math.isfinite(file_fps) and 0 < file_fps <= 1000):
            file_fps = DEFAULT_FILE_FPS
        height, width = first.shape[:2]
        super().__init__(str(path), size or (width, height), fps or file_fps, live=False)

    def _read_raw(self) -> np.ndarray:
        if self._first_frame is not None:
            frame, self._first_frame = self._first_frame, None
            return frame
        ok, frame = self._capture.read()
        if ok and frame is not None:
            return frame
        if not self._loop:
            raise EndOfStream(f"{self.name} has ended")
        # Reopening rewinds every container and codec alike (seeking is not exact in all of them).
        self._capture.release()
        self._capture = _open(self._path)
        ok, frame = self._capture.read()
        if not ok or frame is None:
            raise EndOfStream(f"{self.name} gave no frame after rewinding")
        return frame

    def _release(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
