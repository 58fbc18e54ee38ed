"""The frame loop: source -> FrameProcessor -> sink, with a capture thread where frames come in real time.

Real-time mode (a camera, or any source feeding a live sink): a capture thread reads the source (pacing files
and the sample clip at their frame rate) and keeps only the newest frame. When processing is slower than the
source, older frames are dropped, so latency stays bounded; when the source stalls (a camera being reconnected),
the sink gets the last output again, so the picture never freezes.
Offline mode (a file or the sample clip into a file or null sink): every frame is read and processed in order.

Either way, with ``overlap`` (the default) frames are tracked one ahead in a thread of their own
(``pipeline/overlap``) while this thread lenses, pastes and writes, and offline the next frames are read in a
third (``pipeline/read_ahead``); without it each frame goes through both stages in turn. The output is the same
frame for frame.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.lenses.switcher import LensController
from lensengine.pipeline.overlap import STALLED, Arrival, Tracked, TrackingStage
from lensengine.pipeline.process import FrameProcessor
from lensengine.pipeline.read_ahead import ReadAhead
from lensengine.pipeline.stats import PipelineStats
from lensengine.sources.base import EndOfStream

log = logging.getLogger("lensengine.loop")


def source_failed(source, exc: BaseException) -> LensEngineError:
    """A source that broke (not just ended) becomes a one-line error naming it."""
    if isinstance(exc, LensEngineError):
        return exc
    return LensEngineError(f"the input {source.name} stopped: {type(exc).__name__}: {exc}")


@dataclass
class CapturedFrame:
    frame: np.ndarray
    captured_at: float  # time.perf_counter() when read() returned
    index: int


class LatestFrame:
    """A one-slot mailbox: a new frame replaces an unread one (counted as dropped)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: CapturedFrame | None = None
        self.dropped = 0
        self.ended = False
        self.error: BaseException | None = None

    def put(self, item: CapturedFrame) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify()

    def end(self, error: BaseException | None = None) -> None:
        with self._cond:
            self.ended, self.error = True, error
            self._cond.notify()

    def take(self, timeout: float) -> CapturedFrame | None:
        with self._cond:
            if self._item is None and not self.ended:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            return item


class CaptureThread(threading.Thread):
    """Reads the source into a LatestFrame; paces sources that are not live at their own frame rate."""

    def __init__(self, source, mailbox: LatestFrame, stats: PipelineStats, stop: threading.Event) -> None:
        super().__init__(name="capture", daemon=True)
        self.source, self.mailbox, self.stats, self.stop = source, mailbox, stats, stop

    def run(self) -> None:
        period = 1.0 / max(self.source.fps, 1e-3)
        start = time.perf_counter()
        index = 0
        try:
            while not self.stop.is_set():
                if not self.source.live:
                    delay = start + index * period - time.perf_counter()
                    if delay > 0:
                        self.stop.wait(delay)
                t0 = time.perf_counter()
                frame = self.source.read()
                t1 = time.perf_counter()
                self.stats.add("capture", (t1 - t0) * 1000.0)
                self.mailbox.put(CapturedFrame(frame, t1, index))
                index += 1
        except EndOfStream:
            self.mailbox.end()
        except Exception as exc:  # reported by the loop, which then shuts down cleanly
            self.mailbox.end(exc)
        else:
            self.mailbox.end()


def _taken_now(arrivals: Iterator[Arrival]) -> Iterator[Arrival]:
    """Offline arrivals stamped when the engine takes them: a frame's latency counts from then, not from when it
    was read ahead."""
    for arrival in arrivals:
        yield replace(arrival, captured_at=time.perf_counter())


class FrameLoop:
    """Runs frames from ``source`` through ``processor`` into ``sink`` until the source ends, ``max_frames``
    frames were output, ``stop`` is set (SIGINT/SIGTERM) or the window sends "quit"."""

    def __init__(
        self,
        source,
        sink,
        processor: FrameProcessor,
        lenses: LensController,
        stats: PipelineStats,
        *,
        realtime: bool,
        max_frames: int | None = None,
        stats_every: float | None = None,
        stop: threading.Event | None = None,
        report: Callable[[str], None] = print,
        controls: list | None = None,
        overlap: bool = True,
    ) -> None:
        self.source, self.sink, self.processor, self.lenses, self.stats = source, sink, processor, lenses, stats
        self.realtime, self.max_frames, self.stats_every = realtime, max_frames, stats_every
        self.overlap = overlap
        self.stop = stop or threading.Event()
        self.report = report
        self.controls = [sink, *(controls or [])]  # anything with poll_events(): the window, the terminal
        self._last_report = time.perf_counter()
        self._last_output: np.ndarray | None = None

    def run(self) -> PipelineStats:
        if not self.realtime:
            self._serve(self._offline_arrivals())
            return self.stats
        mailbox = LatestFrame()
        capture = CaptureThread(self.source, mailbox, self.stats, self.stop)
        capture.start()
        try:
            self._serve(self._realtime_arrivals(mailbox))
        finally:
            self.stop.set()
            capture.join(timeout=2.0)
        return self.stats

    def _done(self) -> bool:
        return self.stop.is_set() or (self.max_frames is not None and self.stats.frames >= self.max_frames)

    def _offline_arrivals(self) -> Iterator[Arrival]:
        """Every frame of the source, in order, timestamped at the source's frame rate."""
        period_ms = 1000.0 / max(self.source.fps, 1e-3)
        index = 0
        while True:
            t0 = time.perf_counter()
            try:
                frame = self.source.read()
            except EndOfStream:
                return
            except Exception as exc:
                raise source_failed(self.source, exc) from exc
            t1 = time.perf_counter()
            self.stats.add("capture", (t1 - t0) * 1000.0)
            yield Arrival(frame, int(index * period_ms), t1)
            index += 1

    def _realtime_arrivals(self, mailbox: LatestFrame) -> Iterator[Arrival | object]:
        """The newest captured frame each time (older ones dropped), or STALLED while the source has none."""
        wait = 2.5 / max(self.source.fps, 1e-3)
        start = time.perf_counter()
        while True:
            item = mailbox.take(timeout=wait)
            self.stats.dropped = mailbox.dropped
            if item is None:
                if mailbox.ended:
                    if mailbox.error is not None:
                        raise source_failed(self.source, mailbox.error) from mailbox.error
                    return
                yield STALLED
                continue
            yield Arrival(item.frame, int((item.captured_at - start) * 1000.0), item.captured_at)

    def _serve(self, arrivals: Iterator) -> None:
        """Render and write every arrival until done: tracked a frame ahead in a thread (offline, with the frames
        read ahead in another), or in turn."""
        if not self.overlap:
            for arrival in arrivals:
                self._serve_one(arrival, None)
                if self._done():
                    return
            return
        read_ahead = None
        if not self.realtime:  # offline: read the next frames while this one is tracked and rendered
            read_ahead = ReadAhead(arrivals, self.stop)
            read_ahead.start()
            arrivals = _taken_now(read_ahead)
        stage = TrackingStage(arrivals, self.processor.track, self.lenses.wants_faces, self.stop, self.realtime)
        stage.start()
        try:
            while not self._done() and (item := stage.next()) is not None:
                self._serve_one(item.arrival if isinstance(item, Tracked) else item, item)
        finally:
            stage.halt.set()
            stage.join(timeout=2.0)
            if read_ahead is not None:
                read_ahead.halt()

    def _serve_one(self, arrival: Arrival | object, tracked: Tracked | object | None) -> None:
        if arrival is STALLED:
            self._repeat_last()
            return
        runner = self.lenses.active()
        if tracked is None:  # in turn: track now, for the lens that renders
            out = self.processor.process(arrival.frame, arrival.timestamp_ms, runner)
        else:
            out = self.processor.render(arrival.frame, tracked.faces, runner)
        with self.stats.time("output"):
            self.sink.write(out)
        self._last_output = out
        self.stats.frame_done((time.perf_counter() - arrival.captured_at) * 1000.0)
        self._handle_events()
        self._maybe_report()

    def _repeat_last(self) -> None:
        """The source is stalled (e.g. a camera reconnecting): keep the sink fed with the last picture."""
        if self._last_output is not None:
            self.sink.write(self._last_output)
            self.stats.repeated += 1
        self._handle_events()

    def _handle_events(self) -> None:
        for control in self.controls:
            for event in control.poll_events():
                if event == "quit":
                    self.stop.set()
                else:
                    self.lenses.handle(event)

    def _maybe_report(self) -> None:
        now = time.perf_counter()
        if now - self._last_report < (self.stats_every or 1.0):
            return
        self._last_report = now
        set_overlay = getattr(self.sink, "set_overlay", None)
        if callable(set_overlay):
            state = self.lenses.name if self.lenses.enabled else f"{self.lenses.name} (off)"
            set_overlay(f"{state} | {self.stats.fps():.0f} fps")
        if self.stats_every:
            self.report(self.stats.line())
