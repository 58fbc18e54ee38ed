"""The ``auto`` policy (SR only for faces larger than the crop) and the geometry of pasting at the larger size."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lensengine.compose.superres import MIN_ENLARGEMENT, superres_wanted
from lensengine.errors import LensEngineError
from lensengine.face.align import align_matrix, crop_face, crop_side_in_frame, enlarged_matrix


def fake_landmarks(eye_distance: float, centre=(640.0, 360.0)) -> np.ndarray:
    """478 landmarks whose five alignment points form a frontal face with this eye distance (frame pixels)."""
    landmarks = np.zeros((478, 2), np.float32)
    cx, cy = centre
    d = eye_distance
    for index, (x, y) in {468: (-0.5, 0), 473: (0.5, 0), 1: (0, 0.55), 61: (-0.42, 1.0), 291: (0.42, 1.0)}.items():
        landmarks[index] = (cx + x * d, cy + y * d)
    return landmarks


class TestSuperResWanted:
    def test_threshold(self):
        assert not superres_wanted(128.0, 128)
        assert not superres_wanted(128 * MIN_ENLARGEMENT, 128)
        assert superres_wanted(128 * MIN_ENLARGEMENT + 0.1, 128)
        assert superres_wanted(300.0, 256, min_enlargement=1.1) and not superres_wanted(300.0, 256, min_enlargement=1.2)

    def test_small_face_skips_sr(self):
        """A far face: its crop covers fewer frame pixels than the crop has, so SR is skipped."""
        matrix = align_matrix(fake_landmarks(eye_distance=20.0), 128)
        assert crop_side_in_frame(matrix, 128) < 128
        assert not superres_wanted(crop_side_in_frame(matrix, 128), 128)

    def test_large_face_gets_sr(self):
        matrix = align_matrix(fake_landmarks(eye_distance=110.0), 128)
        assert superres_wanted(crop_side_in_frame(matrix, 128), 128)

    def test_crop_side_grows_with_the_face(self):
        sides = [crop_side_in_frame(align_matrix(fake_landmarks(d), 128), 128) for d in (30.0, 60.0)]
        assert sides[1] == pytest.approx(2 * sides[0])
        assert crop_side_in_frame(align_matrix(fake_landmarks(30.0), 256), 256) == pytest.approx(sides[0])

    def test_bad_input(self):
        with pytest.raises(LensEngineError, match="crop size > 0"):
            superres_wanted(100.0, 0)
        with pytest.raises(LensEngineError, match="face size >= 0"):
            superres_wanted(float("nan"), 128)


def test_enlarged_matrix_matches_an_enlarged_crop():
    """On a picture that is linear in x and y, bilinear sampling is exact: the crop cut with the enlarged matrix
    equals the small crop enlarged by resize (same pixel-centre convention as SR nets), to rounding."""
    ys, xs = np.mgrid[0:720, 0:1280].astype(np.float64)
    frame = np.dstack([xs * 0.15, ys * 0.3, (xs + ys) * 0.1]).clip(0, 255).astype(np.float32)
    matrix = align_matrix(fake_landmarks(120.0), 64)
    small = crop_face(frame, matrix, 64)
    enlarged = cv2.resize(small, (128, 128), interpolation=cv2.INTER_LINEAR)
    inner = (slice(2, -2), slice(2, -2))  # resize clamps at the edges; the warp extrapolates
    assert np.abs(crop_face(frame, enlarged_matrix(matrix, 2), 128)[inner] - enlarged[inner]).max() < 1e-2
    # align_matrix at the larger size is half a large pixel off
    assert np.abs(crop_face(frame, align_matrix(fake_landmarks(120.0), 128), 128)[inner] - enlarged[inner]).max() > 0.05
