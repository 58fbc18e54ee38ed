"""Paired augmentation keeps A and B aligned, and the on-the-fly teacher sees landmarks that follow the face."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.face.align import LEFT_EYE as LEFT_IRIS
from lensengine.face.align import RIGHT_EYE as RIGHT_IRIS
from lensengine_trainers.data.augment import AugmentConfig, augment_face, augment_pair, sample_geometry, warp_landmarks
from lensengine_trainers.data.face_crops import extract_faces
from lensengine_trainers.data.face_folder import FaceFolder, save_face
from lensengine_trainers.data.frame_sources import folder_frames
from lensengine_trainers.data.training_data import TeacherSamples

EVERYTHING = AugmentConfig(
    zoom=1.3,
    flip=True,
    rotate=20,
    brightness=0.3,
    contrast=0.3,
    saturation=0.3,
    hue=0.1,
    blur=1.5,
    noise=8,
    jpeg=30,
    degrade="AB",
)
RED, BLUE = (0, 0, 255), (255, 0, 0)


def random_image(seed: int, size: int = 48) -> np.ndarray:
    """Smooth random colours (so that warps interpolate between distinct values)."""
    small = np.random.default_rng(seed).integers(0, 256, (size // 4, size // 4, 3), dtype=np.uint8)
    return cv2.resize(small, (size, size), interpolation=cv2.INTER_LINEAR)


@pytest.mark.parametrize("seed", range(6))
def test_identical_sides_stay_identical_through_every_stage(seed):
    a = random_image(seed)
    a_aug, b_aug = augment_pair(a, a.copy(), np.random.default_rng(seed), EVERYTHING)
    assert np.array_equal(a_aug, b_aug)
    assert not np.array_equal(a_aug, a)


@pytest.mark.parametrize("seed", range(6))
def test_pixelwise_relation_survives_the_geometry(seed):
    """B = f(A) for a per-pixel f (channel swap): the warped pair still has B = f(A) exactly."""
    a = random_image(seed)
    config = AugmentConfig(zoom=1.3, flip=True, rotate=30, blur=1.0, degrade="AB")
    a_aug, b_aug = augment_pair(a, a[..., ::-1].copy(), np.random.default_rng(seed), config)
    assert np.array_equal(b_aug, a_aug[..., ::-1])


def test_degradation_hits_only_the_named_side():
    a = random_image(0)
    config = AugmentConfig(zoom=1.0, flip=False, noise=20, degrade="A")
    hits = 0
    for seed in range(8):
        a_aug, b_aug = augment_pair(a, a.copy(), np.random.default_rng(seed), config)
        assert np.array_equal(b_aug, a)
        hits += not np.array_equal(a_aug, a)
    assert 0 < hits < 8  # half of the time, on the input only


def test_a_sample_is_a_function_of_its_generator():
    a = random_image(1)
    first = augment_pair(a, a, np.random.default_rng([3, 1, 4]), EVERYTHING)
    again = augment_pair(a, a, np.random.default_rng([3, 1, 4]), EVERYTHING)
    other = augment_pair(a, a, np.random.default_rng([3, 1, 5]), EVERYTHING)
    assert np.array_equal(first[0], again[0]) and not np.array_equal(first[0], other[0])


def test_landmarks_move_with_the_image():
    """A dot drawn at a landmark is still under that landmark after the warp (flips renumber both eyes)."""
    crop = np.zeros((64, 64, 3), np.uint8)
    landmarks = np.tile(np.array([[32.0, 32.0]], np.float32), (478, 1))
    landmarks[LEFT_IRIS], landmarks[RIGHT_IRIS] = (20, 24), (44, 26)
    cv2.circle(crop, (20, 24), 3, RED, -1)
    for seed in range(8):
        rng = np.random.default_rng(seed)
        warped, moved = augment_face(crop, landmarks, rng, AugmentConfig(zoom=1.2, rotate=25))
        geometry = sample_geometry(np.random.default_rng(seed), 64, AugmentConfig(zoom=1.2, rotate=25))
        red_at = moved[RIGHT_IRIS] if geometry.flipped else moved[LEFT_IRIS]
        x, y = np.rint(red_at).astype(int)
        assert tuple(warped[y, x]) == RED
        assert moved[LEFT_IRIS][0] < moved[RIGHT_IRIS][0]  # 468 is always the image-left iris
        assert np.array_equal(moved, warp_landmarks(landmarks, geometry))


@pytest.fixture(scope="module")
def dotted_faces(tmp_path_factory, photo_folder) -> FaceFolder:
    """Real 128-pixel face crops with a red dot on the image-left iris and a blue one on the other."""
    plain, dotted = tmp_path_factory.mktemp("plain"), tmp_path_factory.mktemp("dotted")
    extract_faces(folder_frames(photo_folder), plain, size=128, max_crops=3, progress=False)
    faces = FaceFolder(plain)
    (dotted / "faces.json").write_text((plain / "faces.json").read_text())
    for index, name in enumerate(faces.names):
        crop, landmarks = faces.load(index)
        for point, colour in ((landmarks[LEFT_IRIS], RED), (landmarks[RIGHT_IRIS], BLUE)):
            cv2.circle(crop, tuple(int(v) for v in np.rint(point)), 4, colour, -1)
        save_face(dotted, name, crop, landmarks)
    return FaceFolder(dotted)


def colour_centre(image: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> np.ndarray:
    mask = np.all(np.abs(image.astype(int) - colour) <= tolerance, axis=2)
    assert mask.any(), f"no {colour} pixels"
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


def test_on_the_fly_teacher_pairs_are_exact(dotted_faces, iris_marker):
    """The teacher marks where it is told the irises are; they must sit on the dots of the warped face."""
    teacher = iris_marker(crop_size=128)
    samples = TeacherSamples(dotted_faces, teacher, 128, AugmentConfig(zoom=1.2, flip=True, rotate=20))
    flips = 0
    for seed in range(8):
        pair = samples.sample(seed % len(samples), np.random.default_rng(seed))
        a, b = pair["A"], pair["B"]
        red, blue = colour_centre(a, RED), colour_centre(a, BLUE)
        left_dot, right_dot = (red, blue) if red[0] < blue[0] else (blue, red)
        flips += red[0] > blue[0]
        assert np.linalg.norm(colour_centre(b, teacher.lens.LEFT_COLOUR) - left_dot) < 1.5
        assert np.linalg.norm(colour_centre(b, teacher.lens.RIGHT_COLOUR) - right_dot) < 1.5
    assert 0 < flips < 8


def test_bad_settings_are_one_line_errors():
    with pytest.raises(LensEngineError, match="zoom 0.5"):
        AugmentConfig(zoom=0.5)
    with pytest.raises(LensEngineError, match="degrade 'C'"):
        AugmentConfig(degrade="C")
    with pytest.raises(LensEngineError, match="jpeg 100"):
        AugmentConfig(jpeg=100)
