"""Offline read-ahead: the next frames of a file or of the sample clip are read in a thread of their own.

Reading a frame is work: decoding a compressed video frame, or drawing one of the sample clip (5-10 ms at 720p).
In real time the capture thread does it (pipeline/loop.py); offline, without this, the tracking thread would read
each frame before tracking it, and on two cores the reading, the tracking and the rendering could not overlap.
The frames come out in order, at most ``depth`` ahead of their consumer; an error raised while reading is raised
again, in order, where the frames are consumed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

DEPTH = 2
_WAIT_S = 0.05  # how often a blocked hand-over looks at the stop events
_END = object()


class ReadAhead(threading.Thread):
    """Iterates ``items`` (a generator, run in this thread once started) ahead of the consumer, which iterates
    this object. ``halt()`` ends it early (the consumer is done); ``stop`` (the run's stop event) does too."""

    def __init__(self, items: Iterator, stop: threading.Event, depth: int = DEPTH) -> None:
        super().__init__(name="read-ahead", daemon=True)  # a source stuck in read() must not keep the process alive
        self.items, self.stop = items, stop
        self._halt = threading.Event()
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            for item in self.items:
                if not self._put(item):
                    return
        except BaseException as exc:  # raised again in the consumer's thread, after the frames read before it
            self._error = exc
        self._put(_END)

    def _put(self, item) -> bool:
        while not self._stopped():
            try:
                self._queue.put(item, timeout=_WAIT_S)
                return True
            except queue.Full:
                continue
        return False

    def _stopped(self) -> bool:
        return self._halt.is_set() or self.stop.is_set()

    def __iter__(self) -> Iterator:
        while True:
            try:
                item = self._queue.get(timeout=_WAIT_S)
            except queue.Empty:
                if self._stopped():
                    return
                continue
            if item is _END:
                if self._error is not None:
                    raise self._error
                return
            yield item

    def halt(self) -> None:
        """Stop reading (the consumer is done) and wait briefly for the thread to end."""
        self._halt.set()
        if self.is_alive():
            self.join(timeout=2.0)
