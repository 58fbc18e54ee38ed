"""Puts a lens's output back into the frame: inverse warp into the face's region only, through a feather mask.

Two kinds of lens output (``lensengine.lens.FaceLens``):

- colour only, (S, S, 3): what is pasted is the *change* the lens made (output minus input crop), weighted by the
  feather mask. Where a lens leaves a pixel alone, the frame keeps its original pixel exactly (no resampling
  blur), and where crops of neighbouring faces overlap, one face's paste cannot wipe out the other's effect. All
  arithmetic is integer OpenCV.
- colour + alpha, (S, S, 4): the paste is opacity-aware. The alpha (times the feather mask, so nothing ends at
  the crop's edge) and the colour premultiplied by it are warped into the frame, and each frame pixel becomes
  ``frame * (1 - A) + P``: where alpha is 0 the frame keeps its own full-resolution pixel, bit for bit; where it is
  1 the lens's drawing replaces the frame, hiding its detail (black glasses hide the eyes under them).

Only the face's bounding region of the frame is read or written.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from lensengine.face.align import face_region

DEFAULT_FEATHER = 0.12  # fraction of the crop side over which alpha falls from 1 to 0
# A network's alpha is rarely exactly 0: specks of a few 1/255 (about 3% opacity or less: at most 8 levels of
# change, invisible) far from what it draws would widen the pasted box to the whole face and cost milliseconds
# (the shipped thug_glasses leaves specks of 4-5/255 at the mouth). Opacity at or below this is 0.
ALPHA_FLOOR = 8


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

    crop_in / crop_out: (S, S, 3) uint8, the crop as cut and as the lens returned it; ``crop_out`` may be
        (S, S, 4), colour plus the lens's alpha (255 opaque), which ``paste_rgba`` composites over the frame.
    mask: (S, S) uint8 alpha; defaults to ``feather_mask(S)``.
    """
    size = crop_in.shape[0]
    if crop_out.shape[:2] != crop_in.shape[:2] or crop_out.ndim != 3 or crop_out.shape[2] not in (3, 4):
        raise ValueError(f"lens output {crop_out.shape} does not match its crop {crop_in.shape}")
    if crop_out.shape[2] == 4:
        paste_rgba(frame, crop_out, matrix, mask)
        return
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


def paste_rgba(frame: np.ndarray, crop_rgba: np.ndarray, matrix: np.ndarray, mask: np.ndarray | None = None) -> None:
    """Composite a lens's (S, S, 4) colour + alpha over ``frame`` in place where its crop was cut by ``matrix``.

    The crop's alpha times ``mask`` (default ``feather_mask(S)``) is the opacity (alpha <= ``ALPHA_FLOOR`` counts as
    0). Frame pixels whose warped opacity is 0 are not changed at all; under full opacity the frame shows the lens's
    colour only. Only the frame rectangle under the drawn part of the crop (alpha > 0, grown by a pixel for the
    bilinear warp) is read and written.
    """
    size = crop_rgba.shape[0]
    feather = feather_mask(size) if mask is None else mask
    alpha = cv2.multiply(np.ascontiguousarray(crop_rgba[..., 3]), feather, scale=1.0 / 255.0)  # uint8, 0..255
    alpha[alpha <= ALPHA_FLOOR] = 0
    rows, cols = np.nonzero(alpha.any(axis=1))[0], np.nonzero(alpha.any(axis=0))[0]
    if not len(rows):
        return
    # The drawn box in crop pixels, as a crop of its own: its frame region is what face_region gives for it.
    top, left = max(int(rows[0]) - 1, 0), max(int(cols[0]) - 1, 0)
    bottom, right = min(int(rows[-1]) + 2, size), min(int(cols[-1]) + 2, size)
    box = matrix.copy()
    box[:, 2] -= (left, top)  # frame -> box pixel
    region = face_region(box, right - left, frame.shape, height=bottom - top)
    if region is None:
        return
    x0, y0, x1, y1 = region
    alpha = alpha[top:bottom, left:right]
    alpha3 = cv2.merge([alpha, alpha, alpha])
    premultiplied = cv2.multiply(np.ascontiguousarray(crop_rgba[top:bottom, left:right, :3]), alpha3, scale=1.0 / 255.0)
    to_region = box.copy()
    to_region[:, 2] += box[:, :2] @ np.array([x0, y0], np.float64)  # region pixel -> box pixel
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    shape = (x1 - x0, y1 - y0)
    opacity = cv2.warpAffine(alpha3, to_region, shape, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    colour = cv2.warpAffine(premultiplied, to_region, shape, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    # frame - frame * A + P, in 8-bit integers over the whole rectangle. The premultiplied colour is at most the
    # opacity, pixel by pixel, and the two are warped with the same weights, so where the warped opacity is 0 the
    # warped colour is 0 too and the frame's pixel comes back unchanged.
    roi = frame[y0:y1, x0:x1]
    hidden = cv2.multiply(roi, opacity, scale=1.0 / 255.0)
    roi[...] = cv2.add(cv2.subtract(roi, hidden), colour)
