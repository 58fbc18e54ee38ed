"""The degraded input: right size for every kernel and scale, drawn reproducibly, clean when asked."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.sources.face_photos import face_photo
from lensengine_trainers.superres.degrade import DOWNSCALE_KERNELS, DegradeConfig, degrade, downscale


@pytest.fixture
def patch() -> np.ndarray:
    return face_photo("astronaut")[40:136, 160:256].copy()  # 96 x 96, the face


@pytest.mark.parametrize("scale", [2, 4])
@pytest.mark.parametrize("kernel", sorted(DOWNSCALE_KERNELS))
def test_sizes(patch, scale, kernel):
    config = DegradeConfig(kernels=(kernel,), blur=1.5, noise=4.0, jpeg=30)
    small = degrade(patch, scale, np.random.default_rng(1), config)
    assert small.shape == (96 // scale, 96 // scale, 3) and small.dtype == np.uint8


def test_non_square_sizes(patch):
    assert degrade(patch[:64, :96], 2, np.random.default_rng(0), DegradeConfig()).shape == (32, 48, 3)


def test_same_generator_same_input(patch):
    config = DegradeConfig()
    draws = [degrade(patch, 2, np.random.default_rng(seed), config) for seed in (5, 5, 6)]
    assert np.array_equal(draws[0], draws[1])
    assert any(not np.array_equal(draws[0], degrade(patch, 2, np.random.default_rng(s), config)) for s in range(6, 12))


def test_clean_is_a_plain_downscale(patch):
    small = degrade(patch, 2, np.random.default_rng(3), DegradeConfig.clean("area"))
    assert np.array_equal(small, cv2.resize(patch, (48, 48), interpolation=cv2.INTER_AREA))


def test_degradations_change_the_input(patch):
    clean = downscale(patch, 2, "area")
    noisy = [degrade(patch, 2, np.random.default_rng(s), DegradeConfig(kernels=("area",))) for s in range(8)]
    assert any(np.abs(n.astype(int) - clean).mean() > 0.5 for n in noisy)


def test_bad_settings(patch):
    with pytest.raises(LensEngineError, match="--kernels"):
        DegradeConfig(kernels=("lanczos",))
    with pytest.raises(LensEngineError, match="jpeg"):
        DegradeConfig(jpeg=100)
    with pytest.raises(LensEngineError, match="multiple of 2"):
        downscale(patch[:95], 2, "area")
