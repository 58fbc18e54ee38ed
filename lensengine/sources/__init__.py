"""Frame sources: cameras, video files, still images and the built-in sample clip.

``open_source(spec)`` turns a ``--source`` value into a Source (see ``base``); every source hands out HxWx3
uint8 BGR frames with ``read()`` and lets go of its device or file with ``close()``.
"""

from __future__ import annotations

import math

from lensengine.errors import LensEngineError
from lensengine.sources.base import EndOfStream, Source
from lensengine.sources.camera import CameraSource, list_cameras
from lensengine.sources.frame_format import to_bgr
from lensengine.sources.sample_clip import SampleClip, SampleFace
from lensengine.sources.sample_source import SampleSource
from lensengine.sources.spec import ACCEPTED_FORMS, SourceSpec, parse_source_spec
from lensengine.sources.still_image import StillImageSource
from lensengine.sources.video_file import VideoFileSource

__all__ = [
    "ACCEPTED_FORMS",
    "CameraSource",
    "EndOfStream",
    "SampleClip",
    "SampleFace",
    "SampleSource",
    "Source",
    "SourceSpec",
    "StillImageSource",
    "VideoFileSource",
    "list_cameras",
    "open_source",
    "parse_source_spec",
    "to_bgr",
]

MAX_SIDE = 16384


def _checked_size(size: tuple[int, int] | None) -> tuple[int, int] | None:
    if size is None:
        return None
    try:
        width, height = size
        valid = all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_SIDE for v in (width, height))
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise LensEngineError(
            f"frame size {size!r} is not valid; give (width, height) as whole numbers such as (1280, 720)"
        )
    return width, height


def _checked_fps(fps: float | None) -> float | None:
    if fps is None:
        return None
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not math.isfinite(fps) or not 0 < fps <= 1000:
        raise LensEngineError(f"frame rate {fps!r} is not valid; give a number of frames per second such as 30")
    return float(fps)


def open_source(spec: str, size: tuple[int, int] | None = None, fps: float | None = None, loop: bool = False) -> Source:
    """Open the source ``spec`` names (see ``parse_source_spec``).

    size: (width, height). Cameras are asked for it and report what they give; files and images are resized
      to it; the sample clip is rendered at it (640x480 when None).
    fps: cameras are asked for it; files, images and the sample clip are paced at it (default: the file's
      rate, else 30).
    loop: files and the sample clip start again at their end instead of raising EndOfStream; cameras and
      still images never end.
    """
    parsed = parse_source_spec(spec)
    size, fps = _checked_size(size), _checked_fps(fps)
    if parsed.kind == "camera":
        return CameraSource(parsed.target, size, fps)
    if parsed.kind == "video":
        return VideoFileSource(parsed.target, size, fps, loop)
    if parsed.kind == "image":
        return StillImageSource(parsed.target, size, fps)
    return SampleSource(size, fps, loop, parsed.faces)
