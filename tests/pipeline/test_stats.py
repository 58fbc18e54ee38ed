"""Pipeline statistics: whole-run quantiles in fixed memory."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.pipeline.histogram import BINS, DurationHistogram
from lensengine.pipeline.stats import PipelineStats


def test_histogram_quantiles_within_one_percent():
    rng = np.random.default_rng(0)
    values = rng.lognormal(mean=1.5, sigma=0.8, size=50_000)  # ms, spread over 0.1..100
    histogram = DurationHistogram()
    for v in values:
        histogram.add(float(v))
    for q in (0.05, 0.5, 0.95, 0.99):
        assert histogram.quantile(q) == pytest.approx(np.quantile(values, q), rel=0.01)
    assert histogram.n == 50_000


def test_histogram_clamps_and_handles_empty():
    histogram = DurationHistogram()
    assert np.isnan(histogram.quantile(0.5))
    histogram.add(0.0)
    histogram.add(1e9)
    assert histogram.quantile(0.0) < 0.002 and histogram.quantile(1.0) > 9e4


def test_summary_memory_does_not_grow_with_the_run():
    stats = PipelineStats(window=10)
    for i in range(20_000):
        stats.add("track", 5.0 + (i % 10))
        stats.frame_done(latency_ms=20.0)
    assert len(stats.samples["track"]) == 10 and len(stats.latencies) == 10
    assert stats.run_histograms["track"].counts.size == BINS  # fixed, whatever the run's length
    summary = stats.summary()
    assert summary["track"]["n"] == 20_000
    exact = np.quantile(5.0 + np.arange(10), 0.5, method="inverted_cdf")  # a sample, not an average of two
    assert summary["track"]["median"] == pytest.approx(exact, rel=0.01)
    assert summary["latency"]["median"] == pytest.approx(20.0, rel=0.01)
