"""The sample clip's backdrop: a soft gradient with a faint texture, panned slowly behind the faces.

The backdrop is painted once, a margin larger than the frame, from a fixed random seed; each frame is a
window into it, so a frame costs one copy and no float math.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from lensengine.sources.sample_motion import DURATION_S

TOP_COLOUR = (196, 204, 214)  # BGR, a light warm grey
BOTTOM_COLOUR = (120, 104, 92)  # BGR, a muted blue-grey
PAN_MARGIN = 0.06  # of the unit length, on every side


def _smooth_noise(rng: np.random.Generator, size: tuple[int, int], cells: tuple[int, int]) -> np.ndarray:
    """Values in about -1..1 that vary smoothly over ``cells`` (columns, rows) across an image of ``size``."""
    grid = rng.uniform(-1.0, 1.0, size=(cells[1] + 1, cells[0] + 1)).astype(np.float32)
    return cv2.resize(grid, size, interpolation=cv2.INTER_CUBIC)


class SampleBackground:
    """A panning backdrop for frames of ``size`` (width, height); ``unit`` sets the pan distance."""

    def __init__(self, size: tuple[int, int], unit: float, seed: int = 7) -> None:
        width, height = size
        self.size = size
        self.margin = max(2, round(PAN_MARGIN * unit))
        canvas_size = (width + 2 * self.margin, height + 2 * self.margin)
        rng = np.random.default_rng(seed)
        rows = np.linspace(0.0, 1.0, canvas_size[1], dtype=np.float32)[:, None, None]
        top, bottom = np.array(TOP_COLOUR, np.float32), np.array(BOTTOM_COLOUR, np.float32)
        canvas = top + (bottom - top) * rows
        canvas = np.broadcast_to(canvas, (canvas_size[1], canvas_size[0], 3)).copy()
        canvas += 22.0 * _smooth_noise(rng, canvas_size, (4, 3))[..., None]
        canvas += 7.0 * _smooth_noise(rng, canvas_size, (48, 36))[..., None]
        tint = _smooth_noise(rng, canvas_size, (3, 2))
        canvas[..., 0] += 10.0 * tint
        canvas[..., 2] -= 10.0 * tint
        self.canvas = np.clip(canvas, 0, 255).astype(np.uint8)

    def at(self, t: float) -> np.ndarray:
        """A fresh (height, width, 3) uint8 frame of the backdrop at time ``t`` seconds."""
        phase = 2.0 * math.pi * (t % DURATION_S) / DURATION_S
        x = self.margin + round(0.9 * self.margin * math.cos(phase))
        y = self.margin + round(0.9 * self.margin * math.sin(2.0 * phase))
        width, height = self.size
        return self.canvas[y : y + height, x : x + width].copy()
