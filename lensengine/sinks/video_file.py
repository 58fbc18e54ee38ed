"""Writing frames to a video file with OpenCV's FFmpeg writer; the file extension picks the codec.

Frames go to a hidden partial file beside the path, renamed into place when the sink closes with at least one
frame written: a run that fails to start leaves no empty file behind and keeps an earlier file at that path;
a run that wrote frames replaces it (as ``ffmpeg -y`` does). Missing parent folders are created. Odd frame sizes
are padded to even ones by repeating the last column/row, because the writer would otherwise crop them silently.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.sinks.base import Sink
from lensengine.sinks.frame_fit import even_size, pad_to

# H.264 (avc1) does not open with the OpenCV wheels in use, so .mp4 gets MPEG-4 Part 2.
CODEC_FOR_EXTENSION = {
    ".mp4": "mp4v",
    ".avi": "MJPG",
    ".mkv": "FFV1",  # lossless
    ".webm": "VP80",
}

SUPPORTED_EXTENSIONS = ", ".join(CODEC_FOR_EXTENSION)


def is_video_path(spec: str) -> bool:
    """True if ``spec`` names a file with one of the supported video extensions."""
    return Path(spec).suffix.lower() in CODEC_FOR_EXTENSION


class VideoFileSink(Sink):
    """Encodes every frame into ``path``; ``frame_size`` is the (even) size stored in the file."""

    name = "file"
    live = False

    def __init__(self, path: str | Path, width: int, height: int, fps: float) -> None:
        super().__init__(width, height, fps)
        self.path = Path(path)
        extension = self.path.suffix.lower()
        if extension not in CODEC_FOR_EXTENSION:
            raise LensEngineError(
                f"cannot write video {str(self.path)!r}: unknown extension; use one of {SUPPORTED_EXTENSIONS}"
            )
        self.fourcc = CODEC_FOR_EXTENSION[extension]
        self.frame_size = even_size(self.width, self.height)
        self.frames_written = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LensEngineError(
                f"cannot create the folder for {str(self.path)!r} ({exc.strerror}); choose a writable path"
                f" ending in {SUPPORTED_EXTENSIONS}"
            ) from exc
        self.partial_path = self.path.with_name(f".{self.path.stem}.partial{extension}")
        self._writer = cv2.VideoWriter(
            str(self.partial_path), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*self.fourcc), self.fps, self.frame_size
        )
        if not self._writer.isOpened() or self.path.is_dir():
            self._writer.release()
            self.partial_path.unlink(missing_ok=True)
            raise LensEngineError(
                f"cannot open {str(self.path)!r} for writing with codec {self.fourcc}; choose a writable path"
                f" ending in {SUPPORTED_EXTENSIONS}"
            )

    def _send(self, frame_bgr: np.ndarray) -> None:
        self._writer.write(pad_to(frame_bgr, *self.frame_size))
        self.frames_written += 1

    def _release(self) -> None:
        self._writer.release()
        if self.frames_written:
            os.replace(self.partial_path, self.path)
        else:
            self.partial_path.unlink(missing_ok=True)
