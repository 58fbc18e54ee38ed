"""Face lenses that return colour + alpha: the guard, the conformance check and the frame path accept them."""

import cv2
import numpy as np
import pytest

from lensengine.compose.paste import paste_back
from lensengine.face.align import align_matrix, crop_face, transform_points
from lensengine.inference.preprocess import swap_rb
from lensengine.lens import LensSpec
from lensengine.lenses.guard import LensRunner
from lensengine.testing import check_lens
from lensengine.testing.faces import photo_faces

CROPS = np.full((2, 32, 32, 3), 10, np.uint8)
LMS = np.zeros((2, 478, 2), np.float32)


class BlackBar:
    """Draws an opaque black bar in the middle of each crop and says so in its alpha."""

    def apply(self, crops, landmarks):
        n, size = crops.shape[:2]
        out = np.zeros((n, size, size, 4), np.uint8)
        out[..., :3] = crops
        rows, cols = slice(size * 2 // 5, size * 3 // 5), slice(size // 4, size * 3 // 4)
        out[:, rows, cols, :3] = 0
        out[:, rows, cols, 3] = 255
        return out


class FiveChannels:
    def apply(self, crops, landmarks):
        return np.zeros((*crops.shape[:3], 5), np.uint8)


def runner(lens, kind="face"):
    spec = LensSpec(name="t", kind=kind, create=lambda: lens, plugin="test-plugin")
    return LensRunner(spec, lens, timeout=1.0)


def test_guard_passes_colour_plus_alpha():
    r = runner(BlackBar())
    out = r.run(CROPS, LMS)
    assert out.shape == (2, 32, 32, 4) and r.failures == 0
    r.close()


def test_guard_refuses_other_channel_counts(caplog):
    r = runner(FiveChannels())
    assert r.run(CROPS, LMS) is None
    assert r.failures == 1
    assert "or (2, 32, 32, 4) (colour + alpha)" in caplog.text
    r.close()


def test_frame_lens_may_not_return_alpha():
    class FrameAlpha:
        def apply(self, frame):
            return np.zeros((*frame.shape[:2], 4), np.uint8)

    r = runner(FrameAlpha(), kind="frame")
    assert r.run(np.zeros((24, 32, 3), np.uint8)) is None
    r.close()


def test_conformance_accepts_an_alpha_face_lens():
    spec = LensSpec(name="black_bar", kind="face", create=BlackBar, crop_size=64, plugin="test-plugin")
    report = check_lens(spec, runs=2)
    assert report.median_ms >= 0


def test_swap_rb_keeps_alpha_last():
    bgra = np.array([[[1, 2, 3, 4]]], np.uint8)
    assert swap_rb(bgra).tolist() == [[[3, 2, 1, 4]]]
    assert swap_rb(bgra[..., :3]).tolist() == [[[3, 2, 1]]]


@pytest.mark.parametrize("size", [64, 128])
def test_through_the_paste_only_the_bar_changes_the_photo(size):
    photo, landmarks = next(iter(photo_faces().values()))  # a real face photo, as the engine would get it
    matrix = align_matrix(landmarks, size, 0.35)
    crop = crop_face(photo, matrix, size)
    out = BlackBar().apply(crop[None], transform_points(landmarks, matrix)[None])[0]
    pasted = photo.copy()
    paste_back(pasted, crop, out, matrix)
    changed = np.any(pasted != photo, axis=2)
    assert changed.any()
    # Every changed pixel lies where the warped bar (grown by a pixel for bilinear edges) lands.
    bar = np.zeros((size, size), np.uint8)
    bar[size * 2 // 5 - 1 : size * 3 // 5 + 1, size // 4 - 1 : size * 3 // 4 + 1] = 255
    reach = cv2.warpAffine(bar, matrix, photo.shape[1::-1], flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP) > 0
    assert not (changed & ~reach).any()
