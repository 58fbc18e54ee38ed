"""One-Euro filter: jitter on a still track drops, a moving track shows no visible lag, array contract."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.face.smoothing import OneEuroFilter

FPS = 30.0
# MediaPipe's landmark jitter on a still face in a noisy 640x480 frame is 0.15-0.3 px (std per coordinate).
JITTER_PX = 0.3


def still_track_std(smoother: OneEuroFilter | None, frames: int = 90, seed: int = 0) -> float:
    """Mean per-coordinate std of 478 noisy stationary points after the first second, smoothed or not."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(0, 640, (478, 2))
    outputs = []
    for i in range(frames):
        sample = centre + rng.normal(0.0, JITTER_PX, centre.shape)
        outputs.append(smoother(sample, i / FPS) if smoother else sample)
    return float(np.array(outputs[int(FPS) :]).std(axis=0).mean())


def moving_track_lag_px(smoother: OneEuroFilter, px_per_frame: float, frames: int = 90, seed: int = 0) -> float:
    """Mean distance (px) by which smoothed points trail noisy points moving diagonally, after the first second."""
    rng = np.random.default_rng(seed)
    start = rng.uniform(0, 640, (478, 2))
    direction = np.array([0.8, 0.6])
    lags = []
    for i in range(frames):
        truth = start + direction * px_per_frame * i
        smoothed = smoother(truth + rng.normal(0.0, JITTER_PX, truth.shape), i / FPS)
        lags.append(np.linalg.norm(truth - smoothed, axis=1).mean())
    return float(np.mean(lags[int(FPS) :]))


class TestOneEuroFilter:
    def test_smoke_first_call_returns_the_input(self):
        x = np.random.default_rng(1).uniform(0, 100, (478, 2)).astype(np.float32)
        out = OneEuroFilter()(x, 0.0)
        assert out.shape == (478, 2) and out.dtype == np.float32
        np.testing.assert_array_equal(out, x)

    def test_still_jitter_drops_to_under_half(self):
        raw = still_track_std(None)
        smoothed = still_track_std(OneEuroFilter())
        assert raw == pytest.approx(JITTER_PX, rel=0.05)
        assert smoothed < 0.45 * raw  # measured 0.35 x with the defaults

    @pytest.mark.parametrize("px_per_frame", [1.0, 3.0, 5.0, 10.0])
    def test_moving_track_lags_under_a_pixel_and_a_fraction_of_a_frame(self, px_per_frame):
        lag = moving_track_lag_px(OneEuroFilter(), px_per_frame)
        assert lag < 1.3  # measured 0.67, 0.88, 0.96, 1.04 px
        assert lag / px_per_frame < 0.7  # in frames: measured 0.67, 0.29, 0.19, 0.10

    def test_without_speed_adaptation_the_same_track_lags_far_more(self):
        assert moving_track_lag_px(OneEuroFilter(beta=0.0), 5.0) > 4 * moving_track_lag_px(OneEuroFilter(), 5.0)

    def test_every_element_is_filtered_on_its_own(self):
        rng = np.random.default_rng(2)
        track = rng.normal(0, 5, (20, 3, 2)).cumsum(axis=0)
        together = OneEuroFilter()
        alone = [OneEuroFilter() for _ in range(6)]
        for i, points in enumerate(track):
            joint = together(points, i / FPS)
            single = [f(np.array([v]), i / FPS)[0] for f, v in zip(alone, points.ravel())]
            np.testing.assert_allclose(joint.ravel(), single, rtol=1e-12)

    def test_a_repeated_time_returns_the_last_output(self):
        smoother = OneEuroFilter()
        smoother(np.zeros(4), 0.0)
        last = smoother(np.ones(4), 0.1)
        np.testing.assert_array_equal(smoother(np.full(4, 50.0), 0.1), last)

    def test_bad_input_shape_change_needs_a_reset(self):
        smoother = OneEuroFilter()
        smoother(np.zeros((478, 2)), 0.0)
        with pytest.raises(LensEngineError, match="reset"):
            smoother(np.zeros((468, 2)), 0.1)
        smoother.reset()
        assert smoother(np.ones((468, 2)), 0.2).shape == (468, 2)

    @pytest.mark.parametrize("args", [(0.0, 0.2), (1.0, -0.1), (-1.0, 0.0)])
    def test_bad_parameters(self, args):
        with pytest.raises(LensEngineError, match="min_cutoff"):
            OneEuroFilter(*args)
