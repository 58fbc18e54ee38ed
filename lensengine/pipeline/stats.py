"""Per-stage timings and frame rate of the frame loop."""

from __future__ import annotations

import time
from collections import deque
from contextlib import contextmanager

import numpy as np

from lensengine.pipeline.histogram import DurationHistogram

STAGES = ("capture", "track", "align", "lens", "superres", "blend", "output")


class PipelineStats:
    """The last ``window`` durations of each stage (ms) for the status line, and fixed-size histograms of every
    duration of the run for the summary: memory stays the same however long a call lasts."""

    def __init__(self, window: int = 300) -> None:
        self.window = window
        self.reset()

    def reset(self) -> None:
        """Forget everything measured so far (e.g. after a warm-up)."""
        window = self.window
        self.samples: dict[str, deque[float]] = {stage: deque(maxlen=window) for stage in STAGES}
        self.run_histograms: dict[str, DurationHistogram] = {
            stage: DurationHistogram() for stage in (*STAGES, "latency")
        }
        self.frame_times: deque[float] = deque(maxlen=window)
        self.latencies: deque[float] = deque(maxlen=window)
        self.frames = 0
        self.dropped = 0
        self.repeated = 0
        self.faces = 0
        self.started = time.perf_counter()

    def add(self, stage: str, ms: float) -> None:
        self.samples[stage].append(ms)
        self.run_histograms[stage].add(ms)

    @contextmanager
    def time(self, stage: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, (time.perf_counter() - start) * 1000.0)

    def frame_done(self, latency_ms: float | None = None) -> None:
        self.frames += 1
        self.frame_times.append(time.perf_counter())
        if latency_ms is not None:
            self.latencies.append(latency_ms)
            self.run_histograms["latency"].add(latency_ms)

    def fps(self) -> float:
        if len(self.frame_times) < 2:
            return 0.0
        span = self.frame_times[-1] - self.frame_times[0]
        return (len(self.frame_times) - 1) / span if span > 0 else 0.0

    def line(self) -> str:
        """One status line: fps, median ms per stage over the recent window, faces, drops."""
        parts = [f"{s} {np.median(v):.1f}" for s, v in self.samples.items() if v]
        return (
            f"fps {self.fps():5.1f} | " + " ".join(parts) + " ms"
            f" | faces {self.faces} | dropped {self.dropped} repeated {self.repeated}"
        )

    def summary(self) -> dict[str, dict[str, float]]:
        """Median and p95 (ms, within 1%) of every stage and of the latency over the whole run, plus totals."""
        out: dict[str, dict[str, float]] = {}
        for stage, histogram in self.run_histograms.items():
            if histogram.n:
                out[stage] = {"median": histogram.quantile(0.5), "p95": histogram.quantile(0.95), "n": histogram.n}
        elapsed = time.perf_counter() - self.started
        out["total"] = {
            "frames": self.frames,
            "seconds": elapsed,
            "fps": self.frames / elapsed if elapsed > 0 else 0.0,
            "dropped": self.dropped,
            "repeated": self.repeated,
        }
        return out

    def summary_text(self) -> str:
        s = self.summary()
        total = s.pop("total")
        rows = [f"  {stage:<8} median {v['median']:7.2f} ms   p95 {v['p95']:7.2f} ms" for stage, v in s.items()]
        head = (
            f"{total['frames']} frames in {total['seconds']:.1f} s ({total['fps']:.1f} fps), "
            f"dropped {total['dropped']}, repeated {total['repeated']}"
        )
        return "\n".join([head, *rows])
