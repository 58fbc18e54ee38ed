"""A preview window (OpenCV HighGUI) that shows the output and turns key presses into events.

OpenCV's Qt build aborts the whole process, rather than raising, when it cannot reach a display. So on Linux
the window is first tried in a short-lived child process, and a missing or unreachable display becomes a
one-line error instead of a crash.
"""

from __future__ import annotations

import os
import subprocess
import sys

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.sinks.base import Sink
from lensengine.sinks.window_keys import event_for_key

NO_DISPLAY = "no display for --output window; use --output out.mp4 or virtualcam"

DISPLAY_PROBE = "import cv2; cv2.namedWindow('lensengine display probe'); cv2.destroyAllWindows()"
DISPLAY_PROBE_TIMEOUT_S = 20.0


def require_display() -> None:
    """Raise LensEngineError(NO_DISPLAY) unless a HighGUI window can be opened here."""
    if not sys.platform.startswith("linux"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise LensEngineError(NO_DISPLAY)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", DISPLAY_PROBE], capture_output=True, timeout=DISPLAY_PROBE_TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        raise LensEngineError(NO_DISPLAY) from exc
    if probe.returncode != 0:
        raise LensEngineError(NO_DISPLAY)


def draw_overlay(frame: np.ndarray, text: str) -> np.ndarray:
    """A copy of ``frame`` with ``text`` in white on a black box in its top-left corner (readable on any picture)."""
    shown = frame.copy()
    scale = max(0.5, frame.shape[0] / 720.0)
    stroke = max(1, round(2 * scale))
    margin = int(8 * scale)
    (text_width, text_height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, stroke)
    box_corner = (text_width + 2 * margin, text_height + baseline + 2 * margin)
    cv2.rectangle(shown, (0, 0), box_corner, (0, 0, 0), cv2.FILLED)
    origin = (margin, margin + text_height)
    cv2.putText(shown, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), stroke, cv2.LINE_AA)
    return shown


class WindowSink(Sink):
    """Shows each frame in a resizable window titled ``title``; ``set_overlay`` sets a status line on it.

    Keys are read while frames are shown; ``poll_events`` also reads them when no frame came since the last
    call, so hotkeys work while the source is stalled. Closing the window sends "quit".
    """

    name = "window"
    live = True

    def __init__(self, width: int, height: int, fps: float, title: str = "lensengine") -> None:
        super().__init__(width, height, fps)
        require_display()
        self.title = title
        self.overlay = ""
        self._events: list[str] = []
        self._shown_since_poll = False
        self._closed_by_user = False
        try:
            cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO)
            cv2.resizeWindow(title, self.width, self.height)
        except cv2.error as exc:
            raise LensEngineError(NO_DISPLAY) from exc

    def set_overlay(self, text: str) -> None:
        """Status text (lens name, fps) drawn on every following frame; "" for none."""
        self.overlay = text

    def _send(self, frame_bgr: np.ndarray) -> None:
        if self._closed_by_user:
            return  # imshow would open the window again
        cv2.imshow(self.title, draw_overlay(frame_bgr, self.overlay) if self.overlay else frame_bgr)
        self._read_keys()
        self._shown_since_poll = True

    def poll_events(self) -> list[str]:
        if not self._shown_since_poll and not self._closed_by_user:
            self._read_keys()
        self._shown_since_poll = False
        events, self._events = self._events, []
        return events

    def _read_keys(self) -> None:
        event = event_for_key(cv2.waitKeyEx(1))
        if event is not None:
            self._events.append(event)
        if not self._window_visible():
            self._closed_by_user = True
            self._events.append("quit")

    def _window_visible(self) -> bool:
        try:
            return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) >= 1
        except cv2.error:  # some backends raise once the user has closed the window
            return False

    def _release(self) -> None:
        if not self._closed_by_user:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
