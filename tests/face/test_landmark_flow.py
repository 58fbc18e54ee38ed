"""Landmarks carried by optical flow between landmark-model passes: a real face moved by a known similarity is
followed to a fraction of a pixel, and a face that cannot be followed is refused."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lensengine.face.landmark_flow import carry_landmarks
from lensengine.face.tracker import FaceTracker

EYE_POINTS = [33, 133, 362, 263, 168, 1]  # eye corners, between the eyes, nose tip


@pytest.fixture(scope="module")
def face(face_model_path, scenes):
    """A frame with Grace Hopper's face and its raw MediaPipe landmarks."""
    frame = scenes.frame([("grace_hopper", 160, 80)])
    with FaceTracker(model_path=face_model_path, smoothing=None, small_faces=False) as tracker:
        (found,) = tracker.track(frame, 0)
    return frame, found.landmarks


def moved(frame: np.ndarray, landmarks: np.ndarray, angle: float, scale: float, shift: tuple[float, float]):
    """The frame turned by ``angle`` degrees and scaled about the face's centre, then shifted, and where its
    landmarks go (landmarks span pixel i as [i, i+1); warpAffine maps pixel centres)."""
    centre = tuple(float(v) for v in landmarks.mean(axis=0) - 0.5)
    matrix = cv2.getRotationMatrix2D(centre, angle, scale)
    matrix[:, 2] += shift
    warped = cv2.warpAffine(frame, matrix, frame.shape[1::-1], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return warped, (landmarks - 0.5) @ matrix[:, :2].T + matrix[:, 2] + 0.5


def grey(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


@pytest.mark.parametrize(
    "angle, scale, shift", [(0.0, 1.0, (5.0, -3.0)), (4.0, 1.0, (0.0, 0.0)), (-3.0, 1.04, (-6.0, 4.0))]
)
def test_a_face_moved_by_a_similarity_is_followed_to_a_fraction_of_a_pixel(face, angle, scale, shift):
    frame, landmarks = face
    after, expected = moved(frame, landmarks, angle, scale, shift)
    carried = carry_landmarks(grey(frame), grey(after), landmarks)
    assert carried is not None and carried.shape == (478, 2) and carried.dtype == np.float32
    errors = np.linalg.norm(carried - expected, axis=1)
    assert np.median(errors[EYE_POINTS]) < 0.3
    assert errors.max() < 1.0


def test_a_still_face_stays_put(face):
    frame, landmarks = face
    carried = carry_landmarks(grey(frame), grey(frame), landmarks)
    np.testing.assert_allclose(carried, landmarks, atol=0.05)


def test_a_face_that_vanished_cannot_be_followed(face):
    frame, landmarks = face
    blank = np.full_like(grey(frame), 96)
    assert carry_landmarks(grey(frame), blank, landmarks) is None


def test_a_face_outside_the_frame_cannot_be_followed(face):
    frame, landmarks = face
    assert carry_landmarks(grey(frame), grey(frame), landmarks + 5000.0) is None
