"""thug_glasses_classic on real MediaPipe landmarks of the offline photos, cut by the real aligner."""

from __future__ import annotations

import math

import numpy as np
import pytest
from lensengine_thug_glasses.classic import ThugGlassesClassic
from lensengine_thug_glasses.placement import eye_centres
from lensengine_thug_glasses.sprite import GLASSES, LEFT_LENS_CENTRE, RIGHT_LENS_CENTRE

from lensengine.errors import LensEngineError
from lensengine.face.align import LEFT_EYE, MOUTH_LEFT, MOUTH_RIGHT, NOSE_TIP, RIGHT_EYE

PHOTOS = ("astronaut", "grace_hopper")
LENS_SPACING = RIGHT_LENS_CENTRE[0] - LEFT_LENS_CENTRE[0]  # sprite cells between the eyes


def glasses_on(crop: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lens output for one crop and the mask of pixels it changed."""
    out = ThugGlassesClassic().apply(crop[None], landmarks[None])[0]
    return out, np.any(out != crop, axis=-1)


def frame_axes(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Eye midpoint, unit vector along the eye line, unit vector across it, eye distance."""
    left, right = eye_centres(landmarks)
    distance = float(np.linalg.norm(right - left))
    along = (right - left) / distance
    return (left + right) / 2, along, np.array([-along[1], along[0]]), distance


def mask_angle_degrees(mask: np.ndarray) -> float:
    """Orientation of a mask's long axis, measured like atan2(dy, dx) in image coordinates."""
    ys, xs = np.nonzero(mask)
    dx, dy = xs - xs.mean(), ys - ys.mean()
    return math.degrees(0.5 * math.atan2(2 * (dx * dy).mean(), (dx * dx).mean() - (dy * dy).mean()))


@pytest.mark.parametrize("size", [128, 256, 512])
@pytest.mark.parametrize("photo", PHOTOS)
def test_dark_lenses_cover_both_eyes(face_crop, photo, size):
    crop, landmarks = face_crop(photo, size)
    out, _ = glasses_on(crop, landmarks)
    for index in (LEFT_EYE, RIGHT_EYE):
        x, y = np.round(landmarks[index]).astype(int)
        assert out[y, x].max() < 30, f"eye keypoint {index} not covered at crop {size}"


@pytest.mark.parametrize("photo", PHOTOS)
def test_glasses_stay_in_a_band_on_the_eye_line(face_crop, photo):
    crop, landmarks = face_crop(photo, 256)
    out, painted = glasses_on(crop, landmarks)
    centre, along, across, distance = frame_axes(landmarks)
    ys, xs = np.nonzero(painted)
    offsets = np.stack([xs, ys], 1) - centre
    cell = distance / LENS_SPACING
    half_width = GLASSES.shape[1] / 2 * cell
    half_height = GLASSES.shape[0] / 2 * cell
    assert np.abs(offsets @ along).max() <= half_width + 1.5
    assert np.abs(offsets @ across).max() <= half_height + 1.5
    assert painted.sum() > 0.5 * (2 * half_width) * (2 * half_height)
    for index in (NOSE_TIP, MOUTH_LEFT, MOUTH_RIGHT):
        x, y = np.round(landmarks[index]).astype(int)
        assert not painted[y - 2 : y + 3, x - 2 : x + 3].any(), f"glasses reach landmark {index}"
    lower_face = slice(int(landmarks[NOSE_TIP, 1]), None)
    np.testing.assert_array_equal(out[lower_face], crop[lower_face])


@pytest.mark.parametrize("photo", PHOTOS)
def test_width_follows_eye_distance(face_crop, photo):
    widths, areas = {}, {}
    for size in (128, 256):
        crop, landmarks = face_crop(photo, size)
        _, painted = glasses_on(crop, landmarks)
        _, _, _, distance = frame_axes(landmarks)
        xs = np.nonzero(painted.any(0))[0]
        widths[size] = xs.max() - xs.min() + 1
        assert widths[size] == pytest.approx(GLASSES.shape[1] / LENS_SPACING * distance, abs=3)
        areas[size] = painted.sum()
    assert widths[256] / widths[128] == pytest.approx(2.0, rel=0.05)
    assert areas[256] / areas[128] == pytest.approx(4.0, rel=0.1)


@pytest.mark.parametrize("roll", [-30.0, 20.0])
@pytest.mark.parametrize("photo", PHOTOS)
def test_glasses_turn_with_head_roll(face_crop, photo, roll):
    level = mask_angle_degrees(glasses_on(*face_crop(photo, 256))[1])
    crop, landmarks = face_crop(photo, 256, roll_degrees=roll)
    _, painted = glasses_on(crop, landmarks)
    _, along, _, _ = frame_axes(landmarks)
    eye_line = math.degrees(math.atan2(along[1], along[0]))
    # Rolling the head counter-clockwise on screen lifts the right eye: a negative angle with y pointing down.
    assert mask_angle_degrees(painted) == pytest.approx(level - roll, abs=2.0)
    assert mask_angle_degrees(painted) == pytest.approx(eye_line, abs=2.0)


@pytest.mark.parametrize("size", [128, 512])
def test_pixel_art_only_palette_colours_and_highlights(face_crop, size):
    crop, landmarks = face_crop("astronaut", size)
    out, painted = glasses_on(crop, landmarks)
    colours = np.unique(out[painted], axis=0)
    assert {tuple(c) for c in colours} == {(0, 0, 0), (255, 255, 255)}


def test_batch_equals_one_by_one_and_is_deterministic(face_crop):
    pairs = [face_crop(photo, 256) for photo in PHOTOS]
    crops = np.stack([crop for crop, _ in pairs])
    landmarks = np.stack([points for _, points in pairs])
    before = crops.copy()
    lens = ThugGlassesClassic()
    batch = lens.apply(crops, landmarks)
    assert batch.shape == crops.shape and batch.dtype == np.uint8
    np.testing.assert_array_equal(crops, before)  # input left alone
    np.testing.assert_array_equal(lens.apply(crops, landmarks), batch)
    for i, (crop, points) in enumerate(pairs):
        np.testing.assert_array_equal(batch[i], glasses_on(crop, points)[0])


def test_empty_batch():
    out = ThugGlassesClassic().apply(np.zeros((0, 256, 256, 3), np.uint8), np.zeros((0, 478, 2), np.float32))
    assert out.shape == (0, 256, 256, 3)


def test_glasses_hanging_off_the_crop_are_clipped(face_crop):
    crop, landmarks = face_crop("astronaut", 256)
    shifted = landmarks - np.float32([110, 0])  # the left lens now lies past the crop's left edge
    out, painted = glasses_on(crop, shifted)
    assert painted[:, 0].any() and painted.sum() > 500
    assert out.shape == crop.shape


@pytest.mark.parametrize("bad", [np.zeros((478, 2), np.float32), np.full((478, 2), np.nan, np.float32)])
def test_degenerate_landmarks_leave_the_crop_unchanged(face_crop, bad):
    crop, _ = face_crop("astronaut", 256)
    _, painted = glasses_on(crop, bad)
    assert not painted.any()


@pytest.mark.parametrize(
    "crops, landmarks, message",
    [
        (np.zeros((1, 256, 256, 3), np.float32), np.zeros((1, 478, 2)), "uint8"),
        (np.zeros((256, 256, 3), np.uint8), np.zeros((1, 478, 2)), r"\(N, S, S, 3\)"),
        (np.zeros((2, 256, 256, 3), np.uint8), np.zeros((1, 478, 2)), r"\(2, 478, 2\)"),
        (np.zeros((1, 256, 256, 3), np.uint8), np.zeros((1, 468, 2)), "478"),
    ],
)
def test_bad_input_is_a_one_line_error(crops, landmarks, message):
    with pytest.raises(LensEngineError, match=message) as raised:
        ThugGlassesClassic().apply(crops, landmarks)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("size", [128, 256])
def test_alpha_is_opaque_exactly_where_the_glasses_are_drawn(face_crop, size):
    crop, landmarks = face_crop("astronaut", size)
    plain = ThugGlassesClassic().apply(crop[None], landmarks[None])[0]
    out = ThugGlassesClassic(alpha=True).apply(crop[None], landmarks[None])[0]
    assert out.shape == (size, size, 4) and out.dtype == np.uint8
    assert np.array_equal(out[..., :3], plain)
    assert set(np.unique(out[..., 3])) == {0, 255}
    changed = np.any(plain != crop, axis=2)
    drawn = out[..., 3] == 255
    assert (drawn >= changed).all()  # every changed pixel is drawn (a drawn pixel may keep its colour by chance)
    assert drawn.sum() - changed.sum() <= 0.01 * drawn.sum()
    # Composited over the crop, the colour + alpha shows exactly the painted crop.
    alpha = out[..., 3:].astype(np.float32) / 255.0
    shown = crop * (1.0 - alpha) + out[..., :3] * alpha
    assert np.array_equal(np.rint(shown).astype(np.uint8), plain)


def test_alpha_is_zero_when_nothing_is_drawn(face_crop):
    crop, landmarks = face_crop("astronaut", 128)
    out = ThugGlassesClassic(alpha=True).apply(crop[None], np.full_like(landmarks, 5.0)[None])[0]
    assert not out[..., 3].any() and np.array_equal(out[..., :3], crop)
