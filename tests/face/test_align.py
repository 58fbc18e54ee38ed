import cv2
import numpy as np
import pytest

from lensengine.face.align import (
    KEYPOINT_INDICES,
    align_matrix,
    crop_face,
    invert_affine,
    keypoints5,
    similarity_transform,
    template_points,
    transform_points,
)


def fake_landmarks(points5: np.ndarray) -> np.ndarray:
    lm = np.zeros((478, 2), np.float32)
    lm[list(KEYPOINT_INDICES)] = points5
    return lm


class TestSimilarityTransform:
    def test_recovers_a_known_similarity(self):
        rng = np.random.default_rng(1)
        src = rng.uniform(0, 200, (5, 2))
        angle, scale = np.deg2rad(25), 1.7
        m = np.array(
            [
                [scale * np.cos(angle), -scale * np.sin(angle), 12.0],
                [scale * np.sin(angle), scale * np.cos(angle), -7.0],
            ]
        )
        dst = src @ m[:, :2].T + m[:, 2]
        assert np.allclose(similarity_transform(src, dst), m, atol=1e-9)

    def test_never_reflects(self):
        src = np.random.default_rng(2).uniform(0, 10, (5, 2))
        m = similarity_transform(src, src * [-1, 1])  # a mirror image is fitted by a rotation, not a reflection
        assert np.linalg.det(m[:, :2]) > 0

    def test_degenerate_points(self):
        with pytest.raises(ValueError, match="degenerate"):
            similarity_transform(np.ones((5, 2)), np.random.rand(5, 2))


class TestAlignMatrix:
    def test_keypoints_land_on_the_template(self):
        size = 256
        target = template_points(size)
        angle = np.deg2rad(-20)
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        frame_points = (target - 128) @ rot.T * 0.6 + [400, 300]
        m = align_matrix(fake_landmarks(frame_points), size)
        assert np.allclose(transform_points(frame_points, m), target, atol=1e-3)
        back = transform_points(transform_points(frame_points, m), invert_affine(m))
        assert np.allclose(back, frame_points, atol=1e-3)

    def test_margin_shrinks_the_face(self):
        tight, loose = template_points(256, 0.0), template_points(256, 0.5)
        eye_gap = lambda p: np.linalg.norm(p[1] - p[0])  # noqa: E731
        assert eye_gap(loose) == pytest.approx(eye_gap(tight) / 2.0)
        assert (loose[:, 0].min() > tight[:, 0].min()) and (loose[:, 0].max() < tight[:, 0].max())

    def test_eyes_level_and_symmetric_in_the_crop(self):
        t = template_points(128)
        assert abs(t[0, 1] - t[1, 1]) < 0.5 and abs((t[0, 0] + t[1, 0]) / 2 - 64) < 1.0

    def test_bad_landmarks(self):
        with pytest.raises(ValueError, match="478"):
            keypoints5(np.zeros((68, 2)))
        with pytest.raises(ValueError):
            template_points(0)


def test_crop_face_follows_the_matrix():
    frame = np.zeros((200, 300, 3), np.uint8)
    cv2.circle(frame, (150, 100), 10, (0, 0, 255), -1)
    m = np.array([[1.0, 0, -86], [0, 1.0, -36]])  # puts (150, 100) at (64, 64)
    crop = crop_face(frame, m, 128)
    assert crop.shape == (128, 128, 3) and tuple(crop[64, 64]) == (0, 0, 255)


def test_real_face_eyes_land_where_the_template_says(hopper_bgr):
    """MediaPipe landmarks of a real photo, aligned: the iris centres sit on the template's eye points."""
    from lensengine.face.tracker import FaceTracker

    with FaceTracker(max_faces=1, smoothing=None) as tracker:
        faces = tracker.track(hopper_bgr, 0)
    assert len(faces) == 1
    m = align_matrix(faces[0].landmarks, 256)
    eyes = transform_points(faces[0].landmarks[[KEYPOINT_INDICES[0], KEYPOINT_INDICES[1]]], m)
    assert np.abs(eyes - template_points(256)[:2]).max() < 6.0
