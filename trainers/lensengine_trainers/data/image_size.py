"""Changing the side of square crops, and of the landmarks that go with them."""

from __future__ import annotations

import cv2
import numpy as np


def resize_square(image: np.ndarray, size: int) -> np.ndarray:
    """``image`` resized to ``size`` x ``size`` (area averaging when shrinking, bilinear when growing)."""
    if image.shape[0] == size and image.shape[1] == size:
        return image
    shrinking = size < image.shape[0]
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def resize_landmarks(landmarks: np.ndarray, from_size: int, to_size: int) -> np.ndarray:
    """Crop-pixel landmarks of a ``from_size`` square moved to a ``to_size`` square (pixel centres kept)."""
    if from_size == to_size:
        return landmarks
    scale = to_size / from_size
    return ((np.asarray(landmarks, np.float32) + 0.5) * scale - 0.5).astype(np.float32)
