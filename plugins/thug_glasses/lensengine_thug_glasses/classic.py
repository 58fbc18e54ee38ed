"""The ``thug_glasses_classic`` face lens: pixel-art sunglasses on every face of the batch."""

from __future__ import annotations

import numpy as np

from lensengine.errors import LensEngineError

from .paint import paint_sprite
from .placement import glasses_placement
from .sprite import GLASSES, PALETTE


class ThugGlassesClassic:
    """Face lens drawing the sunglasses on each crop's eye line, scaled by eye distance, turned by head roll.

    Deterministic and independent of crop size: it is the teacher for the neural ``thug_glasses`` pack.
    """

    def apply(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        """(N, S, S, 3) uint8 crops and (N, 478, 2) crop-pixel landmarks -> new (N, S, S, 3) uint8 crops."""
        check_face_batch(crops, landmarks)
        painted = crops.copy()
        for crop, points in zip(painted, landmarks):
            placement = glasses_placement(points)
            if placement is not None:
                paint_sprite(crop, GLASSES, PALETTE, placement)
        return painted


def check_face_batch(crops: np.ndarray, landmarks: np.ndarray) -> None:
    """Raise LensEngineError unless crops are (N, S, S, 3) uint8 and landmarks (N, 478, 2) for the same N."""
    if not (
        isinstance(crops, np.ndarray)
        and crops.dtype == np.uint8
        and crops.ndim == 4
        and crops.shape[1] == crops.shape[2]
        and crops.shape[3] == 3
    ):
        raise LensEngineError(
            f"thug_glasses_classic: crops must be an (N, S, S, 3) uint8 array, got "
            f"{getattr(crops, 'shape', type(crops).__name__)} {getattr(crops, 'dtype', '')}; pass aligned face crops"
        )
    shape = np.shape(landmarks)
    if shape != (crops.shape[0], 478, 2):
        raise LensEngineError(
            f"thug_glasses_classic: landmarks must be ({crops.shape[0]}, 478, 2) crop pixels for "
            f"{crops.shape[0]} crops, got {shape}; pass the MediaPipe landmarks mapped into the crops"
        )
