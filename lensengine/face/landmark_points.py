"""MediaPipe's normalised landmarks as frame pixels, and the boxes around them."""

from __future__ import annotations

import numpy as np


def landmarks_in_pixels(normalised_faces: list, width: int, height: int) -> np.ndarray:
    """(N, 478, 2) float32 frame pixels from MediaPipe's per-face lists of normalised landmarks."""
    if not normalised_faces:
        return np.zeros((0, 478, 2), np.float32)
    xy = np.array([[(p.x, p.y) for p in face] for face in normalised_faces], np.float32)
    return xy * np.array([width, height], np.float32)


def landmark_boxes(landmarks: np.ndarray) -> np.ndarray:
    """(N, 4) boxes (x0, y0, x1, y1) around (N, P, 2) landmarks."""
    return np.concatenate([landmarks.min(axis=1), landmarks.max(axis=1)], axis=1)
