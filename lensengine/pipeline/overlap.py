"""Overlapped stages: frame N+1 is tracked in its own thread while frame N is lensed, pasted and written.

MediaPipe and ONNX Runtime release the GIL, so on two cores the tracker (the larger share of a frame's time) and
the rest of the frame run side by side. The hand-over is a bounded queue (``DEPTH`` frames), so a slow render
stage holds the tracker back instead of piling frames up: in real time, the capture thread's latest-frame-wins
mailbox still drops what cannot be served, and latency stays bounded. One thread tracks, in the order the frames
come, and the loop renders in the order they were tracked: no frame is ever shown out of order.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from lensengine.face.face import Face

DEPTH = 1  # frames tracked ahead of the one being rendered
_PUT_WAIT_S = 0.05  # how often a blocked hand-over looks at the stop event
_JIT_MARGIN_S = 0.003  # start tracking this much before the loop is expected to be free
_MAX_JIT_WAIT_S = 0.5  # never wait longer than this for a frame's turn (a lens that suddenly got slow)


@dataclass
class Arrival:
    """A frame from the source: its pixels, its timestamp for the tracker and when it was captured."""

    frame: object
    timestamp_ms: int
    captured_at: float


STALLED = object()  # the source has no new frame yet: the loop repeats its last output
_END = object()


@dataclass
class Tracked:
    arrival: Arrival
    faces: list[Face] | None  # None: not tracked (no face lens was on)


class TrackingStage(threading.Thread):
    """Runs ``arrivals`` (a generator of Arrival or STALLED, run in this thread) through ``track`` when
    ``wants_faces()`` says so, and hands each over in order through a bounded queue; ``next()`` takes them.

    ``just_in_time`` (real time): a frame is taken from the arrivals only once the previous one was handed over
    and at the moment its tracking should end as the loop gets free, judged from the recent times between the
    loop's takes and the recent tracking times. So the frame rendered is the newest the camera had then, and a
    slow lens does not make every frame wait for one more render. Offline, frames are read ahead freely.
    An exception from the generator or the tracker ends the stage and is raised again by ``next()``.
    """

    def __init__(
        self, arrivals: Iterator, track, wants_faces, stop: threading.Event, just_in_time: bool, depth: int = DEPTH
    ) -> None:
        super().__init__(name="track", daemon=True)  # a tracker stuck in a plugin must not keep the process alive
        self.arrivals, self.track, self.wants_faces, self.just_in_time = arrivals, track, wants_faces, just_in_time
        self.outer_stop = stop  # the run's stop (signals, quit)
        self.halt = threading.Event()  # this stage's end: the loop is done with it
        self._handover: queue.Queue = queue.Queue(maxsize=depth)
        self._taken = threading.Event()  # set by next() each time the loop takes a frame
        self._error: BaseException | None = None
        self._last_take: float | None = None
        self._take_interval = _Average()  # seconds between the loop's takes: how long a frame occupies it
        self._track_time = _Average()  # seconds a frame takes to track

    def run(self) -> None:
        arrivals = iter(self.arrivals)
        try:
            while not self.stopped():
                if self.just_in_time:
                    self._wait_until_due()
                arrival = next(arrivals, _END)
                if arrival is _END or self.stopped():
                    break
                if arrival is STALLED:
                    self._hand_over(STALLED)
                    continue
                faces = None
                if self.wants_faces():
                    started = time.perf_counter()
                    faces = self.track(arrival.frame, arrival.timestamp_ms)
                    self._track_time.add(time.perf_counter() - started)
                self._hand_over(Tracked(arrival, faces))
        except BaseException as exc:  # given to the loop's thread, which stops cleanly and raises it
            self._error = exc
        finally:
            self._hand_over(_END)

    def _wait_until_due(self) -> None:
        """Until the loop took the last frame handed over, then until this frame's tracking should start."""
        while not self._handover.empty() and not self.stopped():
            self._taken.wait(_PUT_WAIT_S)
            self._taken.clear()
        if self._last_take is None or self._take_interval.value is None:
            return
        start_at = self._last_take + self._take_interval.value - (self._track_time.value or 0.0) - _JIT_MARGIN_S
        delay = start_at - time.perf_counter()
        if delay > 0:
            self.halt.wait(min(delay, _MAX_JIT_WAIT_S))

    def _hand_over(self, item) -> None:
        while True:
            try:
                self._handover.put(item, timeout=_PUT_WAIT_S)
                return
            except queue.Full:
                if self.stopped():
                    return

    def stopped(self) -> bool:
        return self.halt.is_set() or self.outer_stop.is_set()

    def next(self) -> Tracked | object | None:
        """The next tracked frame, STALLED, or None when the arrivals have ended; raises the stage's error."""
        while True:
            try:
                item = self._handover.get(timeout=_PUT_WAIT_S)
            except queue.Empty:
                if self.stopped() or not self.is_alive() and self._handover.empty():
                    return None
                continue
            if item is _END:
                if self._error is not None:
                    raise self._error
                return None
            now = time.perf_counter()
            if self._last_take is not None and item is not STALLED:
                self._take_interval.add(now - self._last_take)
            self._last_take = now
            self._taken.set()
            return item


class _Average:
    """An exponential moving average of recent durations (seconds); None before the first."""

    def __init__(self, weight: float = 0.3) -> None:
        self.weight, self.value = weight, None

    def add(self, seconds: float) -> None:
        self.value = seconds if self.value is None else self.value + self.weight * (seconds - self.value)
