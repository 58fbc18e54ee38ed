import cv2
import numpy as np
import pytest

from lensengine.compose.paste import feather_mask, paste_back
from lensengine.face.align import crop_face, face_region


def rotation_matrix(angle_deg: float, scale: float, centre: tuple[float, float], size: int) -> np.ndarray:
    """Frame -> crop matrix for a crop of ``size`` centred on ``centre``."""
    m = cv2.getRotationMatrix2D(centre, angle_deg, scale)
    m[:, 2] += np.array([size / 2, size / 2]) - np.array(centre)
    return m


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    base = cv2.resize(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8), (640, 480), interpolation=cv2.INTER_CUBIC)
    return base


class TestFeatherMask:
    def test_shape_range_and_symmetry(self):
        m = feather_mask(128)
        assert m.shape == (128, 128) and m.dtype == np.uint8
        assert m[64, 64] == 255 and m[0, 0] == 0 and m[0, 64] < 10
        assert np.array_equal(m, m.T) and np.array_equal(m, m[::-1, ::-1])

    def test_monotonic_towards_centre(self):
        row = feather_mask(200)[100].astype(int)
        assert (np.diff(row[:100]) >= 0).all() and (np.diff(row[100:]) <= 0).all()

    def test_bad_arguments(self):
        with pytest.raises(ValueError):
            feather_mask(0)
        with pytest.raises(ValueError):
            feather_mask(64, 0.9)


class TestPasteBack:
    def test_unchanged_lens_output_leaves_frame_bit_exact(self, frame):
        m = rotation_matrix(20, 1.1, (300, 200), 256)
        crop = crop_face(frame, m, 256)
        out = frame.copy()
        paste_back(out, crop, crop.copy(), m)
        assert np.array_equal(out, frame)

    def test_change_lands_inside_region_only(self, frame):
        m = rotation_matrix(-15, 0.9, (320, 240), 256)
        crop = crop_face(frame, m, 256)
        changed = crop.copy()
        changed[96:160, 96:160] = (0, 0, 255)
        out = frame.copy()
        paste_back(out, crop, changed, m)
        x0, y0, x1, y1 = face_region(m, 256, frame.shape)
        diff = np.abs(out.astype(int) - frame.astype(int)).sum(2)
        outside = diff.copy()
        outside[y0:y1, x0:x1] = 0
        assert outside.max() == 0
        centre = cv2.transform(np.array([[[128.0, 128.0]]]), cv2.invertAffineTransform(m))[0, 0]
        cx, cy = int(round(centre[0])), int(round(centre[1]))
        assert np.abs(out[cy, cx].astype(int) - [0, 0, 255]).max() <= 2

    def test_no_seam_at_the_crop_border(self, frame):
        m = rotation_matrix(10, 1.0, (320, 240), 200)
        crop = crop_face(frame, m, 200)
        white = np.full_like(crop, 255)
        out = frame.copy()
        paste_back(out, crop, white, m)
        inv = cv2.invertAffineTransform(m)
        # walk along the crop's border, compare the change just inside and just outside of it
        t = np.linspace(10, 190, 50)
        inside = np.stack([t, np.full_like(t, 1.5)], 1)
        outside = np.stack([t, np.full_like(t, -1.5)], 1)
        for pts in (inside, outside):
            px = cv2.transform(pts[None], inv)[0].round().astype(int)
            change = np.abs(out[px[:, 1], px[:, 0]].astype(int) - frame[px[:, 1], px[:, 0]].astype(int)).max()
            assert change <= 12  # a hard paste would change these pixels by up to 255
        # while the centre is fully white
        c = cv2.transform(np.array([[[100.0, 100.0]]]), inv)[0, 0].round().astype(int)
        assert (out[c[1], c[0]] >= 250).all()

    def test_overlapping_faces_keep_both_effects(self, frame):
        size = 160
        ma = rotation_matrix(0, 1.0, (280, 240), size)
        mb = rotation_matrix(0, 1.0, (360, 240), size)  # crops overlap by half
        out = frame.copy()
        crops = [crop_face(frame, m, size) for m in (ma, mb)]
        edited = []
        for crop in crops:
            e = crop.copy()
            e[70:90, 70:90] = (255, 0, 0)  # the "effect" at each face's centre
            edited.append(e)
        for crop, e, m in zip(crops, edited, (ma, mb)):
            paste_back(out, crop, e, m)
        assert np.abs(out[240, 280].astype(int) - [255, 0, 0]).max() <= 2
        assert np.abs(out[240, 360].astype(int) - [255, 0, 0]).max() <= 2

    def test_crop_half_outside_the_frame(self, frame):
        m = rotation_matrix(0, 1.0, (630, 10), 128)
        crop = crop_face(frame, m, 128)
        out = frame.copy()
        paste_back(out, crop, np.zeros_like(crop), m)
        assert out[10, 630].max() <= 2 and np.array_equal(out[300:, :400], frame[300:, :400])

    def test_crop_fully_outside_is_a_no_op(self, frame):
        m = rotation_matrix(0, 1.0, (2000, 2000), 128)
        out = frame.copy()
        paste_back(out, np.zeros((128, 128, 3), np.uint8), np.ones((128, 128, 3), np.uint8), m)
        assert np.array_equal(out, frame)

    def test_wrong_output_shape(self, frame):
        m = rotation_matrix(0, 1.0, (300, 200), 128)
        with pytest.raises(ValueError, match="does not match"):
            paste_back(frame.copy(), np.zeros((128, 128, 3), np.uint8), np.zeros((64, 64, 3), np.uint8), m)
