"""util.resize: area averaging when shrinking (halving first when the picture is twice the target or more),
bilinear when enlarging, the picture itself when it already fits."""

from __future__ import annotations

import cv2
import numpy as np

from lensengine.sources.face_photos import face_photo
from lensengine.util.resize import resize


def test_the_same_size_is_the_picture_itself():
    photo = face_photo("grace_hopper")
    assert resize(photo, photo.shape[1], photo.shape[0]) is photo


def test_enlarging_is_bilinear():
    photo = face_photo("grace_hopper")[:100, :80]
    expected = cv2.resize(photo, (200, 250), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(resize(photo, 200, 250), expected)


def test_a_small_shrink_is_one_area_average():
    photo = face_photo("grace_hopper")  # 512 x 600
    expected = cv2.resize(photo, (300, 360), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(resize(photo, 300, 360), expected)


def test_a_large_shrink_halves_first_and_looks_the_same_as_one_area_average():
    frame = cv2.resize(face_photo("grace_hopper"), (1280, 720), interpolation=cv2.INTER_LINEAR)
    halved = cv2.resize(frame, (640, 360), interpolation=cv2.INTER_AREA)
    expected = cv2.resize(halved, (344, 192), interpolation=cv2.INTER_AREA)
    small = resize(frame, 344, 192)
    np.testing.assert_array_equal(small, expected)
    direct = cv2.resize(frame, (344, 192), interpolation=cv2.INTER_AREA)
    assert np.abs(small.astype(int) - direct).mean() < 1.5  # grey levels
