"""Which pixel format to hand each virtual camera backend, and converting BGR frames into it.

Each pyvirtualcam backend stores frames in one native format and converts anything else itself (in libyuv,
sometimes in two steps). Handing it the native format, made by one OpenCV call, leaves it nothing to convert:

| system  | backend       | native (pyvirtualcam 0.15 source: ``native_fourcc``) | we pass |
|---------|---------------|-------------------------------------------------------|---------|
| Linux   | v4l2loopback  | I420 (RGB/BGR would go through I420 inside)           | I420    |
| Windows | obs           | NV12 (RGB/BGR would go BGR -> I420 -> NV12)           | NV12    |
| macOS   | obs           | UYVY (RGB/BGR would go BGR -> BGRA -> UYVY)           | UYVY    |
| Windows | unitycapture  | RGBA (BGR would go BGR -> BGRA -> RGBA)               | RGBA    |

Any other backend (one registered by a third party) gets BGR, which every backend accepts.
All YUV conversions are BT.601 limited range, as libyuv's own.
"""

from __future__ import annotations

import platform
from collections.abc import Callable

import cv2
import numpy as np
from pyvirtualcam import PixelFormat

NATIVE_PIXEL_FORMAT = {
    ("Linux", "v4l2loopback"): PixelFormat.I420,
    ("Windows", "obs"): PixelFormat.NV12,
    ("Darwin", "obs"): PixelFormat.UYVY,
    ("Windows", "unitycapture"): PixelFormat.RGBA,
}

# Formats whose chroma is shared by 2x2 (4:2:0) or 2x1 (4:2:2) pixels need even frame sizes.
NEEDS_EVEN_SIZE = {PixelFormat.I420, PixelFormat.NV12, PixelFormat.UYVY}


def pixel_format_for(backend: str) -> PixelFormat:
    """The format to pass to ``backend`` on this operating system (BGR when its native format is unknown)."""
    return NATIVE_PIXEL_FORMAT.get((platform.system(), backend), PixelFormat.BGR)


def bgr_to_i420(frame: np.ndarray) -> np.ndarray:
    """Planar Y, then U, then V at half resolution: a (3H/2) x W array."""
    return cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420)


def bgr_to_nv12(frame: np.ndarray) -> np.ndarray:
    """Planar Y, then U and V interleaved at half resolution: a (3H/2) x W array."""
    i420 = bgr_to_i420(frame)
    height, width = frame.shape[:2]
    quarter = (height // 2) * (width // 2)
    chroma = i420.reshape(-1)[height * width :]
    nv12 = np.empty_like(i420)
    nv12[:height] = i420[:height]
    interleaved = nv12.reshape(-1)[height * width :].reshape(quarter, 2)
    interleaved[:, 0] = chroma[:quarter]
    interleaved[:, 1] = chroma[quarter:]
    return nv12


def bgr_to_uyvy(frame: np.ndarray) -> np.ndarray:
    """Packed U Y0 V Y1 per pixel pair: an H x W x 2 array."""
    return cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_UYVY)


def bgr_to_rgba(frame: np.ndarray) -> np.ndarray:
    """RGB with an opaque alpha channel: an H x W x 4 array."""
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGBA)


def bgr_unchanged(frame: np.ndarray) -> np.ndarray:
    """BGR as it is (pyvirtualcam's BGR format takes OpenCV's order directly)."""
    return frame


CONVERTER_FOR_FORMAT: dict[PixelFormat, Callable[[np.ndarray], np.ndarray]] = {
    PixelFormat.I420: bgr_to_i420,
    PixelFormat.NV12: bgr_to_nv12,
    PixelFormat.UYVY: bgr_to_uyvy,
    PixelFormat.RGBA: bgr_to_rgba,
    PixelFormat.BGR: bgr_unchanged,
}
