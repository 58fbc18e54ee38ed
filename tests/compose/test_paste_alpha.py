"""Opacity-aware paste of a face lens's colour + alpha: exact frame pixels where alpha is 0, frame hidden under 1."""

import cv2
import numpy as np
import pytest

from lensengine.compose.paste import feather_mask, paste_back, paste_rgba
from lensengine.face.align import crop_face

SIZE = 128


def rotation_matrix(angle_deg: float, scale: float, centre: tuple[float, float], size: int) -> np.ndarray:
    """Frame -> crop matrix for a crop of ``size`` centred on ``centre``."""
    m = cv2.getRotationMatrix2D(centre, angle_deg, scale)
    m[:, 2] += np.array([size / 2, size / 2]) - np.array(centre)
    return m


@pytest.fixture
def frame():
    """A detailed frame (fine noise: any resampling of it would show)."""
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)


def rgba(colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return np.dstack([colour, alpha]).astype(np.uint8)


class TestPasteRgba:
    @pytest.mark.parametrize("angle", [0.0, 17.0, -33.0])
    def test_alpha_zero_keeps_every_frame_pixel_bit_exact(self, frame, angle):
        matrix = rotation_matrix(angle, 0.7, (300.0, 220.0), SIZE)
        crop = crop_face(frame, matrix, SIZE)
        garbage = np.full_like(crop, 17)  # colour where alpha is 0 must not matter
        before = frame.copy()
        paste_back(frame, crop, rgba(garbage, np.zeros((SIZE, SIZE), np.uint8)), matrix)
        assert np.array_equal(frame, before)

    def test_outside_the_drawing_the_frame_is_exact(self, frame):
        matrix = rotation_matrix(10.0, 0.8, (320.0, 240.0), SIZE)
        crop = crop_face(frame, matrix, SIZE)
        alpha = np.zeros((SIZE, SIZE), np.uint8)
        alpha[50:70, 30:100] = 255  # a bar of "glasses"
        before = frame.copy()
        paste_back(frame, crop, rgba(np.zeros_like(crop), alpha), matrix)
        changed = np.any(frame != before, axis=2)
        # The changed pixels are exactly those the warped bar (with bilinear edges) reaches: nothing far from it.
        bar = np.zeros((SIZE, SIZE), np.uint8)
        bar[48:72, 28:102] = 255
        inverse = cv2.invertAffineTransform(matrix)
        reach = cv2.warpAffine(bar, inverse, (640, 480), flags=cv2.INTER_NEAREST) > 0
        assert changed.any()
        assert not (changed & ~reach).any()

    def test_opaque_drawing_hides_the_frames_detail(self, frame):
        matrix = rotation_matrix(0.0, 1.0, (320.0, 240.0), SIZE)  # crop pixel (x, y) = frame (x + 256, y + 176)
        crop = crop_face(frame, matrix, SIZE)
        alpha = np.zeros((SIZE, SIZE), np.uint8)
        alpha[40:80, 30:100] = 255
        black = np.zeros_like(crop)
        paste_back(frame, crop, rgba(black, alpha), matrix)
        inside = frame[176 + 45 : 176 + 75, 256 + 35 : 256 + 95]
        assert inside.max() == 0  # noisy detail entirely hidden under the opaque black

    def test_delta_paste_lets_detail_show_through(self, frame):
        """The colour-only paste adds the lens's change: the frame's detail shows through dark drawing. The
        alpha paste exists because of this."""
        matrix = rotation_matrix(0.0, 1.0, (320.0, 240.0), SIZE)
        crop = crop_face(frame, matrix, SIZE)
        out = crop.copy()
        out[40:80, 30:100] = 0
        shifted = crop_face(frame, rotation_matrix(0.0, 1.0, (320.5, 240.0), SIZE), SIZE)  # sub-pixel elsewhere
        paste_back(frame, shifted, out, matrix)
        assert frame[176 + 45 : 176 + 75, 256 + 35 : 256 + 95].max() > 0

    def test_half_alpha_blends(self, frame):
        frame[...] = 200
        matrix = rotation_matrix(0.0, 1.0, (320.0, 240.0), SIZE)
        crop = crop_face(frame, matrix, SIZE)
        paste_back(frame, crop, rgba(np.zeros_like(crop), np.full((SIZE, SIZE), 128, np.uint8)), matrix)
        assert abs(int(frame[240, 320, 0]) - round(200 * (1 - 128 / 255))) <= 1
        assert frame[0, 0, 0] == 200  # outside the crop: untouched

    def test_feather_fades_at_the_crop_edge(self, frame):
        frame[...] = 200
        matrix = rotation_matrix(0.0, 1.0, (320.0, 240.0), SIZE)
        crop = crop_face(frame, matrix, SIZE)
        paste_rgba(frame, rgba(np.zeros_like(crop), np.full((SIZE, SIZE), 255, np.uint8)), matrix)
        row = frame[240, 256 : 256 + SIZE, 0].astype(int)
        assert row[0] >= 195 and row[SIZE // 2] == 0  # edge ~ frame, centre opaque
        assert (np.diff(row[: SIZE // 2]) <= 0).all()
        assert feather_mask(SIZE)[SIZE // 2, 0] < 10

    def test_face_outside_the_frame_is_a_no_op(self, frame):
        matrix = rotation_matrix(0.0, 1.0, (5000.0, 5000.0), SIZE)
        before = frame.copy()
        paste_back(frame, np.zeros((SIZE, SIZE, 3), np.uint8), np.full((SIZE, SIZE, 4), 255, np.uint8), matrix)
        assert np.array_equal(frame, before)

    def test_bad_shapes(self, frame):
        matrix = rotation_matrix(0.0, 1.0, (320.0, 240.0), SIZE)
        crop = crop_face(frame, matrix, SIZE)
        with pytest.raises(ValueError):
            paste_back(frame, crop, np.zeros((SIZE, SIZE, 5), np.uint8), matrix)
        with pytest.raises(ValueError):
            paste_back(frame, crop, np.zeros((SIZE // 2, SIZE // 2, 4), np.uint8), matrix)


def test_invisible_alpha_specks_leave_the_frame_exact_and_the_paste_small():
    from lensengine.compose.paste import ALPHA_FLOOR, paste_rgba

    frame = np.random.default_rng(3).integers(0, 256, (200, 200, 3), np.uint8)
    before = frame.copy()
    crop = np.zeros((64, 64, 4), np.uint8)
    crop[..., 3] = ALPHA_FLOOR  # a network's near-zero alpha everywhere: about 3% opacity or less
    paste_rgba(frame, crop, np.array([[1.0, 0.0, -60.0], [0.0, 1.0, -60.0]]))
    assert np.array_equal(frame, before)
