"""The frame loop's timing contract with scripted sources: latest frame wins, stalls repeat, deaths end cleanly."""

import threading
import time

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.lens import LensSpec
from lensengine.lenses.switcher import LensController
from lensengine.pipeline.loop import CapturedFrame, FrameLoop, LatestFrame
from lensengine.pipeline.process import FrameProcessor
from lensengine.pipeline.stats import PipelineStats
from lensengine.sources.base import EndOfStream


class ScriptedSource:
    """A live source: frame i is filled with i; optional stall (seconds) at a frame index; dies after ``count``."""

    name, size = "scripted", (64, 48)

    def __init__(self, fps=100.0, count=50, live=True, stall_at=None, stall=0.0, die_with=None):
        self.fps, self.count, self.live = fps, count, live
        self.stall_at, self.stall, self.die_with = stall_at, stall, die_with
        self.i = 0

    def read(self):
        if self.i >= self.count:
            if self.die_with is not None:
                raise self.die_with
            raise EndOfStream()
        if self.live:
            time.sleep(1.0 / self.fps)
        if self.i == self.stall_at:
            time.sleep(self.stall)
        frame = np.full((48, 64, 3), self.i % 256, np.uint8)
        self.i += 1
        return frame


class RecordingSink:
    name, live = "recording", True

    def __init__(self):
        self.frames, self.times = [], []

    def write(self, frame):
        self.frames.append(int(frame[0, 0, 0]))
        self.times.append(time.perf_counter())

    def poll_events(self):
        return []


class NoFaces:
    def track(self, frame, ms):
        return []


class FrameLens:
    """Adds 1 to every pixel, after ``delay`` seconds."""

    def __init__(self, delay=0.0):
        self.delay = delay

    def apply(self, frame):
        time.sleep(self.delay)
        return frame + 1


def make_loop(source, sink, delay=0.0, realtime=True, **kw):
    spec = LensSpec(name="plus1", kind="frame", create=lambda: FrameLens(delay))
    stats = PipelineStats()
    return FrameLoop(
        source, sink, FrameProcessor(NoFaces(), stats), LensController([spec], "plus1"), stats, realtime=realtime, **kw
    )


def test_offline_mode_processes_every_frame_in_order():
    sink = RecordingSink()
    make_loop(ScriptedSource(count=20, live=False), sink, realtime=False).run()
    assert sink.frames == [i + 1 for i in range(20)]


def test_slow_lens_drops_frames_and_latency_stays_bounded():
    sink = RecordingSink()
    loop = make_loop(ScriptedSource(fps=100, count=150), sink, delay=0.05)
    stats = loop.run()
    assert stats.dropped > 50  # 100 fps in, ~20 fps out: most frames are dropped, not queued
    lat = np.asarray(stats.latencies)
    assert lat.max() < 200  # ~50 ms lens + 10 ms frame: no growing queue
    assert np.median(lat[-10:]) < 2 * np.median(lat[:10]) + 20


def test_stalled_source_repeats_the_last_output():
    sink = RecordingSink()
    loop = make_loop(ScriptedSource(fps=100, count=30, stall_at=10, stall=0.3), sink)
    stats = loop.run()
    assert stats.repeated >= 5  # ~0.3 s / 25 ms waits
    gaps = np.diff(sink.times)
    assert gaps.max() < 0.1  # the output never froze for long


def test_source_dying_mid_run_raises_after_clean_stop():
    sink = RecordingSink()
    loop = make_loop(ScriptedSource(fps=200, count=10, die_with=OSError("device unplugged")), sink)
    try:
        loop.run()
    except LensEngineError as exc:
        assert "the input scripted stopped: OSError: device unplugged" in str(exc)
    else:
        raise AssertionError("the source's error was swallowed")
    assert len(sink.frames) >= 1 and loop.stop.is_set()


def test_stop_event_ends_the_loop():
    sink = RecordingSink()
    stop = threading.Event()
    loop = make_loop(ScriptedSource(fps=100, count=10_000), sink, stop=stop)
    threading.Timer(0.2, stop.set).start()
    t0 = time.perf_counter()
    loop.run()
    assert time.perf_counter() - t0 < 1.5


def test_max_frames():
    sink = RecordingSink()
    make_loop(ScriptedSource(count=100, live=False), sink, realtime=False, max_frames=7).run()
    assert len(sink.frames) == 7


def test_latest_frame_mailbox_counts_drops():
    box = LatestFrame()
    for i in range(3):
        box.put(CapturedFrame(np.zeros(1), 0.0, i))
    assert box.take(0.01).index == 2 and box.dropped == 2
    assert box.take(0.01) is None
