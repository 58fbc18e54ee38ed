"""Face alignment: a similarity transform from frame landmarks to a lens's square template.

The same function cuts run-time crops and training crops, so a model sees at run time exactly what it saw in
training. The forward matrix maps frame pixels to crop pixels; its inverse puts the lens output back. All crop geometry
lives here: the crop's region and size on screen, and the matrix of a super-resolved (enlarged) crop.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# MediaPipe FaceLandmarker (478 points) indices of the five alignment keypoints, in image order
# (left-most eye first): iris centres, nose tip, mouth corners.
LEFT_EYE = 468
RIGHT_EYE = 473
NOSE_TIP = 1
MOUTH_LEFT = 61
MOUTH_RIGHT = 291
KEYPOINT_INDICES = (LEFT_EYE, RIGHT_EYE, NOSE_TIP, MOUTH_LEFT, MOUTH_RIGHT)

# Where those five points sit on a tight, frontal face square, as fractions of its side (the widely used
# 112-pixel face-recognition template, eyes at 46% of the height, mouth at 82%).
TIGHT_TEMPLATE = (
    np.array(
        [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
        dtype=np.float64,
    )
    / 112.0
)

DEFAULT_MARGIN = 0.35


def keypoints5(landmarks: np.ndarray) -> np.ndarray:
    """The five alignment keypoints (5, 2) taken from 478 landmarks."""
    landmarks = np.asarray(landmarks)
    if landmarks.ndim != 2 or landmarks.shape[0] < 478 or landmarks.shape[1] < 2:
        raise ValueError(f"expected (478, 2) landmarks, got {landmarks.shape}")
    return landmarks[list(KEYPOINT_INDICES), :2].astype(np.float64)


def template_points(size: int, margin: float = DEFAULT_MARGIN) -> np.ndarray:
    """Template keypoints in crop pixels for a ``size`` square whose face is shrunk by ``margin``.

    margin 0 is the tight template (brows to chin); 0.35 leaves room for the forehead, hair and chin.
    The face is centred with a slight upward shift so the forehead fits as well as the chin.
    """
    if size <= 0 or margin < 0:
        raise ValueError("size must be positive and margin non-negative")
    centre = np.array([0.5, 0.5 + 0.08 * margin])
    pts = centre + (TIGHT_TEMPLATE - 0.5) / (1.0 + 2.0 * margin)
    return pts * size


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation; no reflection) mapping src to dst, 2x3."""
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    var = (s**2).sum()
    if var < 1e-12:
        raise ValueError("degenerate keypoints: all at one place")
    # Closed form with complex numbers: d ≈ z * s, z = a + ib.
    sc, dc = s[:, 0] + 1j * s[:, 1], d[:, 0] + 1j * d[:, 1]
    z = (np.conj(sc) * dc).sum() / var
    a, b = z.real, z.imag
    t = mu_d - np.array([a * mu_s[0] - b * mu_s[1], b * mu_s[0] + a * mu_s[1]])
    return np.array([[a, -b, t[0]], [b, a, t[1]]], dtype=np.float64)


def align_matrix(landmarks: np.ndarray, size: int, margin: float = DEFAULT_MARGIN) -> np.ndarray:
    """2x3 matrix from frame pixels to the ``size`` x ``size`` crop of this face."""
    return similarity_transform(keypoints5(landmarks), template_points(size, margin))


def invert_affine(matrix: np.ndarray) -> np.ndarray:
    """Inverse of a 2x3 affine matrix (crop pixels back to frame pixels)."""
    return cv2.invertAffineTransform(np.asarray(matrix, np.float64))


def transform_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Apply a 2x3 matrix to (N, 2) points."""
    pts = np.asarray(points, np.float64)[:, :2]
    return (pts @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)


def crop_face(frame: np.ndarray, matrix: np.ndarray, size: int) -> np.ndarray:
    """Cut the aligned ``size`` x ``size`` crop out of a BGR frame (edges replicated past the frame)."""
    return cv2.warpAffine(frame, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def crop_side_in_frame(matrix: np.ndarray, crop_size: int) -> float:
    """The side, in frame pixels, of the square an aligned crop covers (``matrix``: frame -> crop, 2x3)."""
    matrix = np.asarray(matrix, np.float64)
    return crop_size / math.hypot(matrix[0, 0], matrix[0, 1])


def enlarged_matrix(matrix: np.ndarray, scale: int) -> np.ndarray:
    """The frame -> crop matrix of the ``scale``-times larger crop that SR makes from a crop cut by ``matrix``.

    SR (like OpenCV's resize) puts the centre of small pixel x at large pixel ``scale * x + (scale - 1) / 2``,
    so this is ``scale * matrix`` shifted by that half pixel; ``align_matrix`` at the larger size would be off
    by it.
    """
    bigger = np.asarray(matrix, np.float64) * scale
    bigger[:, 2] += (scale - 1) / 2.0
    return bigger


def face_region(
    matrix: np.ndarray, size: int, frame_shape: tuple[int, ...], height: int | None = None
) -> tuple[int, int, int, int] | None:
    """The frame rectangle (x0, y0, x1, y1) covered by a crop (``size`` square, or ``size`` wide and ``height``
    tall), clipped to the frame; None when it is outside."""
    inverse = invert_affine(matrix)
    tall = size if height is None else height
    corners = np.array([[0, 0], [size, 0], [0, tall], [size, tall]], np.float64)
    pts = corners @ inverse[:, :2].T + inverse[:, 2]
    h, w = frame_shape[:2]
    x0, y0 = np.floor(pts.min(0)).astype(int)
    x1, y1 = np.ceil(pts.max(0)).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 <= x0 or y1 <= y0:
        return None
    return int(x0), int(y0), int(x1), int(y1)
