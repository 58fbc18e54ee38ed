"""The ``landmarks`` face lens: all 478 landmarks as dots, the five alignment keypoints on top."""

from __future__ import annotations

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.face.align import keypoints5

from .dots import stamp_dots

LANDMARK_COLOUR = (0, 255, 0)  # BGR green
KEYPOINT_COLOUR = (0, 0, 255)  # BGR red


def dot_radii(size: int) -> tuple[int, int]:
    """Radii (landmark, keypoint) in pixels for an S x S crop: 1 and 3 at 256, growing with the crop."""
    landmark = max(1, round(size / 256))
    return landmark, 3 * landmark


class LandmarksLens:
    """Debug face lens: green dots on the 478 landmarks, red dots on the 5 keypoints the aligner uses."""

    def apply(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        """(N, S, S, 3) uint8 BGR crops and (N, 478, 2) crop-pixel landmarks -> new crops with the dots."""
        if not (isinstance(crops, np.ndarray) and crops.dtype == np.uint8 and crops.ndim == 4 and crops.shape[3] == 3):
            raise LensEngineError(
                f"landmarks lens: crops must be an (N, S, S, 3) uint8 array, got "
                f"{getattr(crops, 'shape', type(crops).__name__)} {getattr(crops, 'dtype', '')}; pass face crops"
            )
        if np.shape(landmarks) != (crops.shape[0], 478, 2):
            raise LensEngineError(
                f"landmarks lens: landmarks must be ({crops.shape[0]}, 478, 2) for {crops.shape[0]} crops, "
                f"got {np.shape(landmarks)}; pass the MediaPipe landmarks mapped into the crops"
            )
        marked = crops.copy()
        landmark_radius, keypoint_radius = dot_radii(crops.shape[1])
        for crop, points in zip(marked, landmarks):
            stamp_dots(crop, points, landmark_radius, LANDMARK_COLOUR)
            stamp_dots(crop, keypoints5(points), keypoint_radius, KEYPOINT_COLOUR)
        return marked
