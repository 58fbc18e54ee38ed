"""The one normaliser every source frame goes through: anything OpenCV can decode becomes HxWx3 uint8 BGR."""

from __future__ import annotations

import cv2
import numpy as np

from lensengine.errors import LensEngineError


def _describe(frame: object) -> str:
    if isinstance(frame, np.ndarray):
        return f"an array of shape {frame.shape} and type {frame.dtype}"
    return f"a {type(frame).__name__}"


def _to_uint8(frame: np.ndarray) -> np.ndarray:
    if frame.dtype == np.uint8:
        return frame
    if frame.dtype == np.uint16:
        return cv2.convertScaleAbs(frame, alpha=1.0 / 257.0)
    if frame.dtype in (np.float32, np.float64):
        # Floating-point images (HDR, EXR, PFM) are taken as 0..1 and clipped.
        scaled = np.nan_to_num(frame, nan=0.0, posinf=1.0, neginf=0.0) * 255.0 + 0.5
        return np.clip(scaled, 0, 255).astype(np.uint8)
    raise LensEngineError(f"cannot show {_describe(frame)}: give 8-bit, 16-bit or floating-point (0..1) images")


def to_bgr(frame: np.ndarray) -> np.ndarray:
    """``frame`` as a C-contiguous HxWx3 uint8 BGR array.

    Accepts grayscale (HxW or HxWx1), BGR (HxWx3) and BGRA (HxWx4; alpha is dropped), each as uint8, uint16
    (scaled by 1/257) or float in 0..1. An HxWx3 uint8 C-contiguous array is returned as is, not copied.
    """
    if not isinstance(frame, np.ndarray) or frame.ndim not in (2, 3) or frame.size == 0:
        raise LensEngineError(f"cannot show {_describe(frame)}: give a non-empty HxW or HxWxC image")
    channels = 1 if frame.ndim == 2 else frame.shape[2]
    if channels not in (1, 3, 4):
        raise LensEngineError(f"cannot show {_describe(frame)}: give 1 (gray), 3 (BGR) or 4 (BGRA) channels")
    frame = _to_uint8(frame)
    if channels == 1:
        return cv2.cvtColor(np.ascontiguousarray(frame.reshape(frame.shape[:2])), cv2.COLOR_GRAY2BGR)
    if channels == 4:
        return cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(frame)
