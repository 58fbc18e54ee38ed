"""Stamp round dots of one colour at many points at once (no per-point Python loop)."""

from __future__ import annotations

import numpy as np


def disc_offsets(radius: int) -> np.ndarray:
    """(K, 2) integer (dx, dy) offsets of the pixels within ``radius`` of a centre pixel."""
    span = np.arange(-radius, radius + 1)
    dx, dy = np.meshgrid(span, span)
    inside = dx**2 + dy**2 <= radius**2
    return np.stack([dx[inside], dy[inside]], axis=1)


def stamp_dots(image: np.ndarray, points: np.ndarray, radius: int, colour: tuple[int, int, int]) -> None:
    """Paint a dot of ``radius`` pixels around each (x, y) of ``points`` onto ``image`` in place.

    Points are rounded to the nearest pixel; parts of dots past the image's edges are left out, and so are
    points that are not finite.
    """
    points = np.asarray(points, np.float64)
    centres = np.round(points[np.isfinite(points).all(axis=1)]).astype(np.intp)
    pixels = (centres[:, None, :] + disc_offsets(radius)[None, :, :]).reshape(-1, 2)
    height, width = image.shape[:2]
    keep = (pixels[:, 0] >= 0) & (pixels[:, 0] < width) & (pixels[:, 1] >= 0) & (pixels[:, 1] < height)
    image[pixels[keep, 1], pixels[keep, 0]] = colour
