"""Overlapped stages (tracking one frame ahead in its own thread): the same output as in turn, in order."""

from __future__ import annotations

import time

import numpy as np

from lensengine.lens import LensSpec
from lensengine.lenses.switcher import LensController
from lensengine.pipeline.assemble import EngineSettings, open_engine
from lensengine.pipeline.loop import FrameLoop
from lensengine.pipeline.process import FrameProcessor
from lensengine.pipeline.stats import PipelineStats


class KeepingSink:
    name, live = "keeping", False

    def __init__(self):
        self.frames = []

    def write(self, frame):
        self.frames.append(frame.copy())

    def poll_events(self):
        return []


def run_sample(overlap: bool, frames: int = 24) -> list[np.ndarray]:
    settings = EngineSettings(lens="thug_glasses_classic", input="sample:2", output="null", frames=frames)
    with open_engine(settings) as loop:
        loop.sink = KeepingSink()
        loop.overlap = overlap
        loop.run()
        return loop.sink.frames


def test_output_is_identical_to_the_sequential_path_frame_by_frame():
    overlapped, in_turn = run_sample(True), run_sample(False)
    assert len(overlapped) == len(in_turn) == 24
    for index, (a, b) in enumerate(zip(overlapped, in_turn)):
        assert np.array_equal(a, b), f"frame {index} differs"
    assert any(not np.array_equal(a, b) for a, b in zip(overlapped, overlapped[1:]))  # the clip moves


class CountingSource:
    """A live source at 200 fps whose frame i is filled with i % 256."""

    name, size, fps, live = "counting", (32, 24), 200.0, True

    def __init__(self, count):
        self.count, self.i = count, 0

    def read(self):
        from lensengine.sources.base import EndOfStream

        if self.i >= self.count:
            raise EndOfStream()
        time.sleep(1.0 / self.fps)
        self.i += 1
        return np.full((24, 32, 3), (self.i - 1) % 256, np.uint8)


class SlowTracker:
    """Takes 15 ms a frame and records the frames it saw, in order."""

    def __init__(self):
        self.seen = []

    def track(self, frame, ms):
        time.sleep(0.015)
        self.seen.append(int(frame[0, 0, 0]))
        return []


class Recording:
    name, live = "recording", True

    def __init__(self):
        self.values = []

    def write(self, frame):
        self.values.append(int(frame[0, 0, 0]))

    def poll_events(self):
        return []


class Identity:
    def apply(self, crops, landmarks):
        return crops


def test_real_time_frames_leave_in_the_order_they_came_and_the_tracker_runs_ahead():
    spec = LensSpec(name="same", kind="face", create=Identity)
    tracker, sink, stats = SlowTracker(), Recording(), PipelineStats()
    loop = FrameLoop(
        CountingSource(120), sink, FrameProcessor(tracker, stats), LensController([spec], "same"), stats, realtime=True
    )
    loop.run()
    assert sink.values == sorted(sink.values) and len(set(sink.values)) == len(sink.values)
    assert stats.dropped > 0  # 200 fps in, ~60 fps tracked: older frames were dropped, not queued
    assert sink.values == tracker.seen[: len(sink.values)]  # every frame shown was tracked, in the same order
