"""Where dataset images come from: a folder of photos, a video file, or a camera.

Each source is a ``FrameStream``: named BGR uint8 frames (``None`` for a file that cannot be decoded) and,
where it is known, how many there will be (for the progress bar). Names are unique and safe as file names.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from lensengine.errors import LensEngineError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


@dataclass
class FrameStream:
    """Named frames in order, with their count when it is known in advance."""

    frames: Generator[tuple[str, np.ndarray | None], None, None]
    total: int | None
    description: str


def safe_name(text: str) -> str:
    """``text`` with every character that is not a letter, digit, '-' or '_' replaced by '_'."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def read_image(path: Path) -> np.ndarray | None:
    """BGR uint8 image at ``path`` (alpha dropped, grey expanded), or None when it cannot be decoded."""
    data = np.fromfile(path, np.uint8)
    return cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None


def image_files(folder: Path) -> list[Path]:
    """Image files under ``folder`` (sub-folders included), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def folder_frames(folder: str | Path) -> FrameStream:
    """Every image under ``folder``; names are the relative paths without suffix."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LensEngineError(f"image folder {folder} does not exist: pass --images with a folder of photos")
    files = image_files(folder)
    if not files:
        raise LensEngineError(
            f"image folder {folder} holds no images ({', '.join(IMAGE_SUFFIXES)}): put face photos in it"
        )

    def frames() -> Generator[tuple[str, np.ndarray | None], None, None]:
        for path in files:
            yield safe_name(str(path.relative_to(folder).with_suffix(""))), read_image(path)

    return FrameStream(frames(), len(files), f"images in {folder}")


def _capture_frames(
    capture: cv2.VideoCapture, prefix: str, every: int
) -> Generator[tuple[str, np.ndarray], None, None]:
    """Every ``every``-th frame of an opened capture until it ends; the capture is released at the end."""
    try:
        index = 0
        while True:
            ok, frame = capture.read()
            if not ok:
                return
            if index % every == 0:
                yield f"{prefix}_{index:06d}", frame
            index += 1
    finally:
        capture.release()


def _check_every(every: int) -> None:
    if every < 1:
        raise LensEngineError(f"--every must be 1 or more (keep every N-th frame), got {every}")


def video_frames(path: str | Path, every: int = 1) -> FrameStream:
    """Every ``every``-th frame of a video file; names are ``<file stem>_<frame index>``."""
    _check_every(every)
    path = Path(path)
    if not path.is_file():
        raise LensEngineError(f"video file {path} does not exist: pass --video with a video file")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise LensEngineError(f"OpenCV cannot open video {path}: convert it to .mp4 (mp4v) or .avi (MJPG)")
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    total = (count + every - 1) // every if count > 0 else None
    return FrameStream(_capture_frames(capture, safe_name(path.stem), every), total, f"frames of {path}")


def camera_frames(camera: int | str, every: int = 1) -> FrameStream:
    """Every ``every``-th frame of a camera (an index, or any source OpenCV opens: a stream URL, a file).

    The stream does not end by itself for a live camera; the consumer decides when it has enough.
    """
    _check_every(every)
    capture = cv2.VideoCapture(camera)
    if not capture.isOpened():
        raise LensEngineError(
            f"camera {camera!r} could not be opened: check that it is connected and not used by another program, "
            "or pass another --camera index"
        )
    return FrameStream(_capture_frames(capture, f"camera{safe_name(str(camera))}", every), None, f"camera {camera}")
