"""A streaming quantile estimate in fixed memory: a log-spaced histogram of durations.

An 8-hour call at 30 fps gives close to a million samples per stage; keeping them all grows without bound.
Bins 1% apart from 1 microsecond to 100 s (about 1,850 counters) give every quantile within 1% of the exact
value, whatever the run's length.
"""

from __future__ import annotations

import math

import numpy as np

LOWEST_MS = 1e-3
HIGHEST_MS = 1e5
RATIO = 1.01
_LOG_RATIO = math.log(RATIO)
BINS = math.ceil(math.log(HIGHEST_MS / LOWEST_MS) / _LOG_RATIO) + 1


class DurationHistogram:
    """Counts of durations (ms) in log-spaced bins; ``quantile`` answers within 1% relative error."""

    def __init__(self) -> None:
        self.counts = np.zeros(BINS, dtype=np.int64)
        self.n = 0

    def add(self, ms: float) -> None:
        ms = min(max(ms, LOWEST_MS), HIGHEST_MS)
        self.counts[int(math.log(ms / LOWEST_MS) / _LOG_RATIO)] += 1
        self.n += 1

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (0..1) of every duration added; NaN when none was."""
        if self.n == 0:
            return float("nan")
        index = int(np.searchsorted(np.cumsum(self.counts), q * self.n, side="left"))
        return LOWEST_MS * RATIO ** (index + 0.5)  # the bin's geometric centre
