"""PSNR and SSIM checked against values worked out by hand, and against scikit-image's SSIM."""

from __future__ import annotations

import math

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from lensengine.errors import LensEngineError
from lensengine.sources.face_photos import face_photo
from lensengine_trainers.superres.metrics import bicubic_upscale, luminance, psnr, ssim


def grey(value: int, size: int = 32) -> np.ndarray:
    return np.full((size, size, 3), value, np.uint8)


class TestPsnr:
    def test_constant_difference_of_one_level(self):
        # MSE 1 -> 10 log10(255^2) = 48.1308 dB
        assert psnr(grey(100), grey(101)) == pytest.approx(20 * math.log10(255), abs=1e-9)
        assert psnr(grey(100), grey(101)) == pytest.approx(48.1308, abs=1e-4)

    def test_one_pixel_off_by_sixteen(self):
        a = grey(50, size=4)
        b = a.copy()
        b[0, 0, 0] = 66  # one of 48 values off by 16: MSE = 256 / 48
        assert psnr(a, b) == pytest.approx(10 * math.log10(255**2 * 48 / 256), abs=1e-9)

    def test_identical_images_are_infinite(self):
        assert psnr(grey(7), grey(7)) == math.inf

    def test_border_drops_the_edges(self):
        a, b = grey(100), grey(100)
        b[0, :] = 0  # damage only the top row
        assert psnr(a, b) < 30 and psnr(a, b, border=1) == math.inf

    def test_bad_input(self):
        with pytest.raises(LensEngineError, match="differ in shape"):
            psnr(grey(1, 8), grey(1, 16))
        with pytest.raises(LensEngineError, match="border"):
            psnr(grey(1, 8), grey(1, 8), border=4)


class TestSsim:
    def test_identical_images_give_one(self):
        astronaut_bgr = face_photo("astronaut")
        assert ssim(astronaut_bgr, astronaut_bgr) == pytest.approx(1.0, abs=1e-12)

    def test_two_flat_images(self):
        # No variance anywhere: SSIM = (2 m1 m2 + C1) / (m1^2 + m2^2 + C1), C1 = (0.01 * 255)^2
        c1 = (0.01 * 255) ** 2
        expected = (2 * 100 * 110 + c1) / (100**2 + 110**2 + c1)
        assert ssim(grey(100), grey(110)) == pytest.approx(expected, abs=1e-9)

    def test_luminance_weights(self):
        pixel = np.array([[[10, 20, 30]]], np.uint8)  # B, G, R
        assert luminance(pixel)[0, 0] == pytest.approx(0.114 * 10 + 0.587 * 20 + 0.299 * 30)

    def test_agrees_with_scikit_image(self):
        face = face_photo("grace_hopper")[100:356, 130:386]
        noisy = np.clip(face + np.random.default_rng(0).normal(0, 12, face.shape), 0, 255).astype(np.uint8)
        ours = ssim(face, noisy)
        reference = structural_similarity(
            luminance(face),
            luminance(noisy),
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
            data_range=255.0,
        )
        assert 0.3 < ours < 0.95
        assert ours == pytest.approx(reference, abs=0.01)  # scikit-image leaves out a 5-pixel edge

    def test_lower_for_blurrier_images(self):
        face = face_photo("astronaut")
        softer = bicubic_upscale(face[::4, ::4], 4)
        assert ssim(face, softer) < ssim(face, bicubic_upscale(face[::2, ::2], 2)) < 1.0


def test_bicubic_upscale_shapes():
    single = np.zeros((10, 12, 3), np.uint8)
    assert bicubic_upscale(single, 2).shape == (20, 24, 3)
    assert bicubic_upscale(np.stack([single] * 3), 4).shape == (3, 40, 48, 3)
