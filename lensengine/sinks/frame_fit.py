"""Bringing a frame to the size an output needs: resizing to the opened size, padding to even sizes.

Video codecs and the YUV 4:2:0 / 4:2:2 formats of virtual cameras need even widths (and heights); OpenCV's
writer would silently crop an odd frame, so odd sizes are padded by repeating the last column/row instead.
"""

from __future__ import annotations

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.util.resize import resize


def check_frame(frame: np.ndarray) -> None:
    """Raise LensEngineError unless ``frame`` is an HxWx3 uint8 array."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        shape = getattr(frame, "shape", None)
        dtype = getattr(frame, "dtype", type(frame).__name__)
        raise LensEngineError(f"an output frame must be an HxWx3 uint8 BGR array, got shape {shape} {dtype}")


def resize_to(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """``frame`` itself when it is ``width`` x ``height``, else a resized copy (area when shrinking)."""
    check_frame(frame)
    return resize(frame, width, height)


def even_size(width: int, height: int) -> tuple[int, int]:
    """The smallest even width and height that hold ``width`` x ``height``."""
    return width + width % 2, height + height % 2


def pad_to(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """Grow ``frame`` to ``width`` x ``height`` by repeating its right column and bottom row (no copy if equal)."""
    h, w = frame.shape[:2]
    if (w, h) == (width, height):
        return frame
    return cv2.copyMakeBorder(frame, 0, height - h, 0, width - w, cv2.BORDER_REPLICATE)
