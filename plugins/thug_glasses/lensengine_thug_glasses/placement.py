"""Where the sunglasses go on a face: a similarity transform from sprite cells to crop pixels."""

from __future__ import annotations

import numpy as np

from lensengine.face.align import similarity_transform

from .sprite import LEFT_LENS_CENTRE, RIGHT_LENS_CENTRE

# MediaPipe FaceLandmarker eye-contour corners (outer, inner) of the image-left and image-right eye. Eye
# corners, unlike the iris centres, do not move when the gaze does.
LEFT_EYE_CORNERS = (33, 133)
RIGHT_EYE_CORNERS = (263, 362)

MIN_EYE_DISTANCE = 1.0  # pixels; below this the landmarks are degenerate and nothing is drawn


def eye_centres(landmarks: np.ndarray) -> np.ndarray:
    """(2, 2) centres of the image-left and image-right eye: the midpoints of their contour corners."""
    points = np.asarray(landmarks, np.float64)
    return np.stack([points[list(LEFT_EYE_CORNERS)].mean(0), points[list(RIGHT_EYE_CORNERS)].mean(0)])


def glasses_placement(landmarks: np.ndarray) -> np.ndarray | None:
    """2x3 matrix from sprite cells to crop pixels putting each lens on its eye, or None for degenerate landmarks.

    The eye line sets position and roll; the eye distance sets the scale, so the glasses follow the face at
    any crop size.
    """
    centres = eye_centres(landmarks)
    if not np.linalg.norm(centres[1] - centres[0]) >= MIN_EYE_DISTANCE:  # also catches NaN
        return None
    return similarity_transform(np.array([LEFT_LENS_CENTRE, RIGHT_LENS_CENTRE]), centres)
