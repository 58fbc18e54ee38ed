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

    With ``alpha`` (the registered lens), ``apply`` returns (N, S, S, 4) BGRA: the painted crops plus an alpha
    channel that is 255 exactly where the sunglasses are drawn and 0 elsewhere (``lensengine.lens.FaceLens``), so
    the engine keeps the frame's own pixels around the glasses and the teacher hands its mask to training.
    Without it (the default, for callers that want plain crops) it returns (N, S, S, 3).
    """

    def __init__(self, alpha: bool = False) -> None:
        self.alpha = alpha

    def apply(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        """(N, S, S, 3) uint8 crops and (N, 478, 2) crop-pixel landmarks -> new (N, S, S, 3) uint8 crops, or
        (N, S, S, 4) colour + alpha with ``alpha``."""
        check_face_batch(crops, landmarks)
        n, size = crops.shape[:2]
        painted = np.zeros((n, size, size, 4 if self.alpha else 3), np.uint8)
        painted[..., :3] = crops
        for out, points in zip(painted, landmarks):
            placement = glasses_placement(points)
            if placement is not None:
                colour = out[..., :3]
                paint_sprite(colour, GLASSES, PALETTE, placement, out[..., 3] if self.alpha else None)
        return painted


def thug_glasses_with_alpha() -> ThugGlassesClassic:
    """The registered lens: colour plus the alpha of the drawn glasses."""
    return ThugGlassesClassic(alpha=True)


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
