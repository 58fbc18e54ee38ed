"""to_bgr: every layout a decoder can give becomes HxWx3 uint8 BGR."""

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.sources import to_bgr


class TestToBgr:
    def test_bgr_uint8_passes_through_without_a_copy(self):
        frame = np.random.default_rng(0).integers(0, 256, (6, 7, 3), dtype=np.uint8)
        assert to_bgr(frame) is frame

    @pytest.mark.parametrize("shape", [(6, 7), (6, 7, 1)])
    def test_gray_becomes_three_equal_channels(self, shape):
        gray = np.arange(42, dtype=np.uint8).reshape(shape)
        out = to_bgr(gray)
        assert out.shape == (6, 7, 3) and out.dtype == np.uint8
        for channel in range(3):
            np.testing.assert_array_equal(out[..., channel], gray.reshape(6, 7))

    def test_bgra_drops_alpha(self):
        bgra = np.zeros((4, 5, 4), np.uint8)
        bgra[..., 0], bgra[..., 1], bgra[..., 2], bgra[..., 3] = 10, 20, 30, 0
        out = to_bgr(bgra)
        assert out.shape == (4, 5, 3)
        np.testing.assert_array_equal(out[0, 0], [10, 20, 30])

    def test_uint16_scales_to_8_bits(self):
        frame = np.array([[[0, 257 * 128, 65535]]], np.uint16)
        np.testing.assert_array_equal(to_bgr(frame)[0, 0], [0, 128, 255])

    def test_uint16_gray(self):
        out = to_bgr(np.full((3, 3), 257 * 200, np.uint16))
        assert out.shape == (3, 3, 3) and out.dtype == np.uint8 and (out == 200).all()

    def test_float_is_taken_as_0_to_1_and_clipped(self):
        frame = np.array([[[-0.5, 0.5, 2.0]]], np.float32)
        np.testing.assert_array_equal(to_bgr(frame)[0, 0], [0, 128, 255])

    def test_non_contiguous_input_comes_out_contiguous(self):
        frame = np.zeros((8, 8, 3), np.uint8)[:, ::2]
        out = to_bgr(frame)
        assert out.flags["C_CONTIGUOUS"] and out.shape == (8, 4, 3)

    @pytest.mark.parametrize(
        "bad",
        [
            np.zeros((4, 4, 2), np.uint8),
            np.zeros((2, 4, 4, 3), np.uint8),
            np.zeros((4, 4, 3), np.int32),
            np.zeros((0, 4, 3), np.uint8),
            [[1, 2], [3, 4]],
        ],
    )
    def test_bad_input_is_a_one_line_error(self, bad):
        with pytest.raises(LensEngineError) as error:
            to_bgr(bad)
        assert "\n" not in str(error.value) and "give" in str(error.value)
