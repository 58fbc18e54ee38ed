"""The landmark model in a thread of its own, on the newest frame it can take (real time).

In real time a frame must go from the camera to the sink within a frame or two, but the landmark model costs
15-20 ms per face: with three faces one pass takes longer than a 30 fps frame. Here it runs beside the frame
path: ``submit`` hands it a frame when it is free (a newer one replaces a waiting one), ``take`` returns its
newest finished result once. The tracker carries every face by optical flow on every frame and brings each
result forward to the current frame when it arrives (``face/tracker``). An error in the model is raised again by
``take``.

The model keeps a core busy at most ``max_duty`` of the time (half, by default): after a pass of T ms it rests T *
(1 / max_duty - 1) ms before it is ``idle`` again. With one face a pass (15-20 ms) is shorter than a frame and the
tracker's ``landmarks_every`` sets the pace; with three faces at 720p a pass takes about 55 ms, and without the
rest the model ran on every other frame and kept one of the two cores busy nearly all the time, beside a frame path
that needs a core of its own (measured on the 2-core machine, 720p with 3 faces from a 30 fps clip: some runs
dropped 9-16 % of the frames; with the rest, 0 % in each of the pipeline benchmark's three runs, latency p95 32-35
ms, though one of three shorter runs still dropped 11 %). More faces then mean fresher landmarks less often, not a
slower frame path.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

Landmarker = Callable[[np.ndarray, int], np.ndarray]  # (frame BGR, timestamp ms) -> (K, 478, 2) landmarks
DEFAULT_MAX_DUTY = 0.5


class BackgroundLandmarks:
    """Runs ``landmarker`` on submitted frames in a daemon thread. Close it when done."""

    def __init__(
        self, landmarker: Landmarker, max_duty: float = DEFAULT_MAX_DUTY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if not 0.0 < max_duty <= 1.0:
            raise ValueError(f"max_duty must be in (0, 1], got {max_duty}")
        self._landmarker = landmarker
        self._rest_factor = 1.0 / max_duty - 1.0
        self._clock = clock
        self._rest_until = 0.0
        self._lock = threading.Condition()
        self._pending: tuple[int, np.ndarray, int] | None = None  # (frame index, frame, timestamp)
        self._result: tuple[int, np.ndarray] | None = None
        self._error: BaseException | None = None
        self._busy = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="landmarks", daemon=True)
        self._thread.start()

    @property
    def idle(self) -> bool:
        """Nothing running, nothing waiting and the rest after the last pass over: a frame submitted now starts
        at once."""
        with self._lock:
            return not self._busy and self._pending is None and self._clock() >= self._rest_until

    def submit(self, index: int, frame_bgr: np.ndarray, timestamp_ms: int) -> None:
        """Run the model on this frame (a copy is kept: the caller may draw into its frame) when it is free."""
        with self._lock:
            self._pending = (index, frame_bgr.copy(), timestamp_ms)
            self._lock.notify()

    def take(self) -> tuple[int, np.ndarray] | None:
        """(frame index, landmarks) of the newest pass finished since the last take, or None."""
        with self._lock:
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            result, self._result = self._result, None
            return result

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._pending is None and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                (index, frame, timestamp), self._pending = self._pending, None
                self._busy = True
            start = self._clock()
            try:
                landmarks = self._landmarker(frame, timestamp)
            except BaseException as exc:  # given to the tracking thread, which raises it
                with self._lock:
                    self._error, self._busy = exc, False
                continue
            with self._lock:
                self._result, self._busy = (index, landmarks), False
                end = self._clock()
                self._rest_until = end + (end - start) * self._rest_factor

    def close(self) -> None:
        """Stop the thread (after the pass it is in, if any). Safe to call twice."""
        with self._lock:
            self._closed = True
            self._lock.notify()
        self._thread.join(timeout=5.0)
