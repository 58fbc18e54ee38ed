"""The One-Euro filter (Casiez, Roussel and Vogel, CHI 2012), vectorised over whole arrays of points.

A low-pass filter whose cutoff rises with speed: a still face is smoothed hard (no jitter), a moving face is
barely smoothed (no lag). Every element of the array is filtered on its own, so 478 landmarks x 2 coordinates
cost a handful of numpy operations per frame.

Units: landmarks in pixels, time in seconds. ``min_cutoff`` (Hz) is the cutoff at rest, ``beta`` (1/pixel) how
fast the cutoff rises with speed (cutoff = min_cutoff + beta * |speed in px/s|), ``d_cutoff`` (Hz) smooths the
speed estimate.
"""

from __future__ import annotations

import math

import numpy as np

from lensengine.errors import LensEngineError

DEFAULT_MIN_CUTOFF = 0.7
DEFAULT_BETA = 0.2
DEFAULT_D_CUTOFF = 1.0


def smoothing_factor(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray | float:
    """Weight of the new sample in an exponential low-pass with this cutoff and time step."""
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Speed-adaptive low-pass over arrays: ``smoothed = filter(x, t_seconds)``.

    The first call returns ``x`` unchanged and starts the state; a call whose time is not later than the last
    one returns the last output (same instant, nothing to integrate).
    """

    def __init__(
        self, min_cutoff: float = DEFAULT_MIN_CUTOFF, beta: float = DEFAULT_BETA, d_cutoff: float = DEFAULT_D_CUTOFF
    ):
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
            raise LensEngineError(
                f"One-Euro smoothing needs min_cutoff > 0, d_cutoff > 0 and beta >= 0 "
                f"(got {min_cutoff}, {d_cutoff}, {beta}): pass e.g. smoothing=(1.0, 0.05)"
            )
        self.min_cutoff = float(min_cutoff)
        self.beta = float(beta)
        self.d_cutoff = float(d_cutoff)
        self.reset()

    def reset(self) -> None:
        """Forget the state: the next call starts afresh."""
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None
        self._time: float | None = None

    def __call__(self, x: np.ndarray, t_seconds: float) -> np.ndarray:
        """Smoothed copy of ``x`` (float64 internally, returned in ``x``'s float dtype)."""
        x = np.asarray(x)
        out_dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
        sample = x.astype(np.float64)
        if self._value is None:
            self._value, self._speed, self._time = sample, np.zeros_like(sample), float(t_seconds)
            return sample.astype(out_dtype)
        if sample.shape != self._value.shape:
            raise LensEngineError(
                f"One-Euro filter got shape {sample.shape} after {self._value.shape}: reset() it when the points change"
            )
        dt = float(t_seconds) - self._time
        if dt <= 0:
            return self._value.astype(out_dtype)
        speed = (sample - self._value) / dt
        self._speed += smoothing_factor(self.d_cutoff, dt) * (speed - self._speed)
        cutoff = self.min_cutoff + self.beta * np.abs(self._speed)
        self._value += smoothing_factor(cutoff, dt) * (sample - self._value)
        self._time = float(t_seconds)
        return self._value.astype(out_dtype)
