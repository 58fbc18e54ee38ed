"""The face record that flows from the tracker to the aligner, the lenses and the compositor."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Face:
    """One tracked face in one frame.

    id: stable across frames while the face stays tracked (and for a few frames after it is lost).
    box: (x0, y0, x1, y1) in frame pixels, floats; may extend past the frame's edges.
    landmarks: (478, 2) float32, MediaPipe FaceLandmarker points in frame pixels, smoothed.
    score: detection confidence in [0, 1].
    """

    id: int
    box: tuple[float, float, float, float]
    landmarks: np.ndarray
    score: float = 1.0
