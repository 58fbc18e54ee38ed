"""The mirror renumbering of MediaPipe's 478 landmarks, checked against MediaPipe itself on a flipped photo."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.sources.face_photos import PHOTO_NAMES, face_photo
from lensengine_trainers.data.landmark_mirror import MIRROR_PAIRS, MIRROR_PERMUTATION
from lensengine_trainers.data.still_faces import StillFaceLandmarker


def test_permutation_is_an_involution_that_swaps_sides():
    assert sorted(MIRROR_PERMUTATION) == list(range(478))
    assert np.array_equal(MIRROR_PERMUTATION[MIRROR_PERMUTATION], np.arange(478))
    assert (MIRROR_PERMUTATION == np.arange(478)).sum() == 478 - 2 * len(MIRROR_PAIRS) == 28
    # Outer eye corners, mouth corners and iris centres trade places; the nose tip stays.
    assert [MIRROR_PERMUTATION[i] for i in (33, 61, 468, 1)] == [263, 291, 473, 1]


@pytest.mark.parametrize("name", PHOTO_NAMES)
def test_matches_mediapipe_on_the_flipped_photo(name):
    photo = face_photo(name)
    width = photo.shape[1]
    with StillFaceLandmarker() as landmarker:
        original = landmarker.landmarks(photo)[0]
        flipped = landmarker.landmarks(np.ascontiguousarray(photo[:, ::-1]))[0]
    reflected = original.copy()
    reflected[:, 0] = width - 1 - reflected[:, 0]
    error = np.linalg.norm(reflected[MIRROR_PERMUTATION] - flipped, axis=1)
    assert np.median(error) < 2.0 and error.max() < 6.0
    # Without the renumbering, reflected points land on the wrong features.
    assert np.median(np.linalg.norm(reflected - flipped, axis=1)) > 5.0
