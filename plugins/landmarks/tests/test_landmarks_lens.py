"""The landmarks debug lens on real MediaPipe landmarks of the offline photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from lensengine_landmarks.lens import KEYPOINT_COLOUR, LANDMARK_COLOUR, LandmarksLens, dot_radii

from lensengine.errors import LensEngineError
from lensengine.face.align import KEYPOINT_INDICES

PHOTOS = ("astronaut", "grace_hopper")


def marked(crop: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    return LandmarksLens().apply(crop[None], landmarks[None])[0]


def near_any(points: np.ndarray, size: int, radius: float) -> np.ndarray:
    """(S, S) mask of pixels within ``radius`` of at least one of ``points`` (rounded, inside the crop)."""
    xs, ys = np.round(points).astype(int).T
    inside = (xs >= 0) & (xs < size) & (ys >= 0) & (ys < size)
    elsewhere = np.full((size, size), 255, np.uint8)
    elsewhere[ys[inside], xs[inside]] = 0
    distance = cv2.distanceTransform(elsewhere, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return distance <= radius + 1e-3


@pytest.mark.parametrize("size", [128, 256, 512])
@pytest.mark.parametrize("photo", PHOTOS)
def test_dots_on_landmarks_and_keypoints(face_crop, photo, size):
    crop, landmarks = face_crop(photo, size)
    out = marked(crop, landmarks)
    _, keypoint_radius = dot_radii(size)
    keypoint_area = near_any(landmarks[list(KEYPOINT_INDICES)], size, keypoint_radius)
    xs, ys = np.round(landmarks).astype(int).T
    on_landmark = ~keypoint_area[ys, xs]
    assert on_landmark.sum() > 300
    assert (out[ys[on_landmark], xs[on_landmark]] == LANDMARK_COLOUR).all()
    assert (out[keypoint_area] == KEYPOINT_COLOUR).all()


@pytest.mark.parametrize("photo", PHOTOS)
def test_pixels_away_from_the_dots_are_unchanged(face_crop, photo):
    crop, landmarks = face_crop(photo, 256)
    out = marked(crop, landmarks)
    landmark_radius, keypoint_radius = dot_radii(256)
    changed = np.any(out != crop, axis=-1)
    dots = near_any(landmarks, 256, landmark_radius) | near_any(landmarks[list(KEYPOINT_INDICES)], 256, keypoint_radius)
    assert not (changed & ~dots).any()
    colours = {tuple(c) for c in np.unique(out[changed], axis=0)}
    assert colours == {LANDMARK_COLOUR, KEYPOINT_COLOUR}


def test_batch_is_per_face_and_deterministic(face_crop):
    pairs = [face_crop(photo, 256) for photo in PHOTOS]
    crops = np.stack([crop for crop, _ in pairs])
    landmarks = np.stack([points for _, points in pairs])
    before = crops.copy()
    batch = LandmarksLens().apply(crops, landmarks)
    assert batch.shape == crops.shape and batch.dtype == np.uint8
    np.testing.assert_array_equal(crops, before)
    np.testing.assert_array_equal(LandmarksLens().apply(crops, landmarks), batch)
    for i, (crop, points) in enumerate(pairs):
        np.testing.assert_array_equal(batch[i], marked(crop, points))


def test_points_off_the_crop_or_not_finite_are_skipped(face_crop):
    crop, landmarks = face_crop("astronaut", 256)
    moved = landmarks.copy()
    moved[:100] += 1000.0
    moved[100:110] = np.nan
    out = marked(crop, moved)
    assert out.shape == crop.shape
    np.testing.assert_array_equal(out, marked(crop, np.where(np.isfinite(moved), moved, -1000.0)))


@pytest.mark.parametrize(
    "crops, landmarks, message",
    [
        (np.zeros((1, 256, 256, 3), np.float32), np.zeros((1, 478, 2)), "uint8"),
        (np.zeros((1, 256, 256, 3), np.uint8), np.zeros((2, 478, 2)), r"\(1, 478, 2\)"),
    ],
)
def test_bad_input_is_a_one_line_error(crops, landmarks, message):
    with pytest.raises(LensEngineError, match=message) as raised:
        LandmarksLens().apply(crops, landmarks)
    assert "\n" not in str(raised.value)
