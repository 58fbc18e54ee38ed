"""Random glasses on training faces: drawn around the eyes only, reproducible, off by default without a trace."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.face.align import LEFT_EYE, RIGHT_EYE
from lensengine_trainers.data.augment import AugmentConfig, augment_face, sample_geometry
from lensengine_trainers.data.eyewear import draw_eyewear
from lensengine_trainers.data.face_folder import FaceFolder


@pytest.fixture(scope="module")
def face(face_folder):
    return FaceFolder(face_folder).load(0)


def test_glasses_are_drawn_around_the_eyes_and_nowhere_else(face):
    crop, landmarks = face
    left, right = landmarks[[LEFT_EYE, RIGHT_EYE]]
    distance = float(np.linalg.norm(right - left))
    for seed in range(8):
        worn = draw_eyewear(crop, landmarks, np.random.default_rng(seed))
        changed = np.any(worn != crop, axis=2)
        assert changed.sum() > 4 * distance  # at least the rims' length in pixels
        ys, xs = np.nonzero(changed)
        far = np.hypot(xs - (left[0] + right[0]) / 2, ys - (left[1] + right[1]) / 2) > 1.4 * distance
        assert not far.any(), f"seed {seed}: pixels changed far from the eyes"


def test_the_same_seed_draws_the_same_glasses_and_another_seed_others(face):
    crop, landmarks = face
    first = draw_eyewear(crop, landmarks, np.random.default_rng(3))
    assert np.array_equal(first, draw_eyewear(crop, landmarks, np.random.default_rng(3)))
    assert not np.array_equal(first, draw_eyewear(crop, landmarks, np.random.default_rng(4)))


def test_a_face_whose_irises_coincide_is_left_alone(face):
    crop, landmarks = face
    squashed = landmarks.copy()
    squashed[RIGHT_EYE] = squashed[LEFT_EYE]
    assert np.array_equal(draw_eyewear(crop, squashed, np.random.default_rng(0)), crop)


def test_augment_face_draws_glasses_only_when_asked_and_keeps_the_landmarks(face):
    crop, landmarks = face
    plain = AugmentConfig(zoom=1.05, rotate=5)
    worn = AugmentConfig(zoom=1.05, rotate=5, eyewear=1.0)
    face_plain, points_plain = augment_face(crop, landmarks, np.random.default_rng(1), plain)
    face_worn, points_worn = augment_face(crop, landmarks, np.random.default_rng(1), worn)
    assert np.array_equal(points_plain, points_worn)  # the geometry is drawn first, the same
    assert not np.array_equal(face_plain, face_worn)
    rng = np.random.default_rng(2)
    augment_face(crop, landmarks, rng, plain)
    assert rng.random() == pytest.approx(_after_geometry_only(crop, landmarks, plain))  # no extra draw when off
    with pytest.raises(LensEngineError, match="eyewear"):
        AugmentConfig(eyewear=1.5)


def _after_geometry_only(crop, landmarks, config):
    rng = np.random.default_rng(2)
    sample_geometry(rng, crop.shape[0], config)
    return rng.random()
