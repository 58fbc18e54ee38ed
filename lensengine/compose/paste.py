"""Puts a lens's output back into the frame: inverse warp into the face's region only, through a feather mask.

What is pasted is the *change* the lens made (output minus input crop), weighted by the feather mask. Where a lens
leaves a pixel alone, the frame keeps its original pixel exactly (no resampling blur), and where crops of
neighbouring faces overlap, one face's paste cannot wipe out the other's effect. All arithmetic is integer OpenCV
on the crop and on the face's bounding region of the frame; nothing outside that region is read or written.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from lensengine.face.align import face_region

DEFAULT_FEATHER = 0.12  # fraction of the crop side over which alpha falls from 1 to 0


@lru_cache(maxsize=16)
def feather_mask(size: int, feather: float = DEFAULT_FEATHER) -> np.ndarray:
    """(size, size) uint8 alpha (0..255): 255 inside, falling smoothly (smoothstep) to 0 at the crop's edges."""
    if size <= 0 or not 0.0 < feather <= 0.5:
        raise ValueError("feather_mask needs size > 0 and 0 < feather <= 0.5")
    ramp_px = max(1.0, feather * size)
    dist = np.minimum(np.arange(size) + 0.5, size - 0.5 - np.arange(size))  # distance to the nearest edge
    t = np.clip(dist / ramp_px, 0.0, 1.0)
    ramp = t * t * (3.0 - 2.0 * t)
    mask = np.rint(np.outer(ramp, ramp) * 255.0).astype(np.uint8)
    mask.setflags(write=False)
    return mask


@lru_cache(maxsize=16)
def _feather_mask3(size: int) -> np.ndarray:
    mask = feather_mask(size)
    return cv2.merge([mask, mask, mask])


def paste_back(
    frame: np.ndarray,
    crop_in: np.ndarray,
    crop_out: np.ndarray,
    matrix: np.ndarray,
    mask: np.ndarray | None = None,
) -> None:
    """Blend ``crop_out`` into ``frame`` in place where ``crop_in`` was cut by ``matrix`` (frame -> crop).

    crop_in / crop_out: (S, S, 3) uint8, the crop as cut and as the lens returned it.
    mask: (S, S) uint8 alpha; defaults to ``feather_mask(S)``.
    """
    size = crop_in.shape[0]
    if crop_out.shape != crop_in.shape:
        raise ValueError(f"lens output {crop_out.shape} does not match its crop {crop_in.shape}")
    region = face_region(matrix, size, frame.shape)
    if region is None:
        return
    x0, y0, x1, y1 = region
    alpha3 = _feather_mask3(size) if mask is None else cv2.merge([mask, mask, mask])
    delta = cv2.subtract(crop_out, crop_in, dtype=cv2.CV_16S)
    weighted = cv2.multiply(delta, alpha3, scale=1.0 / 255.0, dtype=cv2.CV_16S)
    to_region = matrix.copy()
    to_region[:, 2] += matrix[:, :2] @ np.array([x0, y0], np.float64)  # region pixel -> crop pixel
    warped = cv2.warpAffine(
        weighted,
        to_region,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    roi = frame[y0:y1, x0:x1]
    roi[...] = cv2.add(roi, warped, dtype=cv2.CV_8U)
