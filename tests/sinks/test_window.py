"""The window sink, as far as it can be tested without a display: hotkeys, overlay, the no-display error."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.sinks import open_sink
from lensengine.sinks.window import NO_DISPLAY, draw_overlay
from lensengine.sinks.window_keys import event_for_key

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is for Linux")


@pytest.mark.parametrize(
    "key, event",
    [
        (ord("1"), "lens:1"),
        (ord("5"), "lens:5"),
        (ord("9"), "lens:9"),
        (ord("0"), "lens:10"),
        (ord("n"), "next"),
        (ord("N"), "next"),
        (ord("p"), "prev"),
        (ord(" "), "toggle"),
        (ord("q"), "quit"),
        (ord("Q"), "quit"),
        (27, "quit"),
        (0x100000 | ord("q"), "quit"),  # GTK: 'q' with the NumLock flag
        (-1, None),  # no key
        (ord("x"), None),
        (0xFF51, None),  # Left arrow keysym (Qt, GTK): its low byte is 'Q' but it must not quit
        (0xFFE1, None),  # Shift keysym
        (0x250000, None),  # Windows: Left arrow virtual key << 16
        (0xF700, None),  # macOS: Up arrow
        (0xB2, None),  # superscript two is not a number key
    ],
)
def test_key_to_event(key, event):
    assert event_for_key(key) == event


def test_overlay_is_drawn_on_a_copy():
    frame = np.full((480, 640, 3), 128, np.uint8)
    shown = draw_overlay(frame, "cartoon | 30 fps")
    assert (frame == 128).all()
    corner = shown[:60, :300]
    assert (corner == 255).all(axis=2).sum() > 100 and (corner == 0).all(axis=2).sum() > 1000
    assert (shown[200:, :] == 128).all()


@linux_only
def test_no_display_is_a_one_line_error(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(LensEngineError) as error:
        open_sink("window", 640, 480, 30)
    assert str(error.value) == NO_DISPLAY == "no display for --output window; use --output out.mp4 or virtualcam"


@linux_only
def test_unreachable_display_is_an_error_not_a_crash(monkeypatch):
    """OpenCV's Qt build aborts the process without a display; the probe keeps that out of this process."""
    monkeypatch.setenv("DISPLAY", ":97")  # no X server there
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(LensEngineError, match="no display for --output window"):
        open_sink("window", 640, 480, 30)


CLOSE_BUTTON = "close"


class ScriptedHighGui:
    """Stands in for OpenCV's HighGUI calls (there is no display here) and plays back what the user does
    during each ``waitKeyEx``: press a key (its code), nothing (-1) or click the close button."""

    def __init__(self, keys: list[int]) -> None:
        self.keys = keys
        self.shown: list[np.ndarray] = []
        self.visible = True
        self.destroy_calls = 0

    def install(self, monkeypatch) -> None:
        import cv2

        from lensengine.sinks import window

        monkeypatch.setattr(window, "require_display", lambda: None)
        monkeypatch.setattr(cv2, "namedWindow", lambda title, flags: None)
        monkeypatch.setattr(cv2, "resizeWindow", lambda title, w, h: None)
        monkeypatch.setattr(cv2, "imshow", lambda title, frame: self.shown.append(frame))
        monkeypatch.setattr(cv2, "waitKeyEx", self.wait_key)
        monkeypatch.setattr(cv2, "waitKey", lambda delay: -1)
        monkeypatch.setattr(cv2, "getWindowProperty", lambda title, prop: 1.0 if self.visible else 0.0)
        monkeypatch.setattr(cv2, "destroyWindow", self.destroy_window)

    def destroy_window(self, title: str) -> None:
        self.destroy_calls += 1

    def wait_key(self, delay: int) -> int:
        action = self.keys.pop(0) if self.keys else -1
        if action == CLOSE_BUTTON:
            self.visible = False
            return -1
        return action


def test_window_turns_keys_into_events_and_closing_into_quit(monkeypatch):
    gui = ScriptedHighGui([ord("3"), -1, ord("n"), -1, CLOSE_BUTTON])
    gui.install(monkeypatch)
    sink = open_sink("window", 64, 48, 30)
    assert sink.live and sink.name == "window"
    frame = np.full((48, 64, 3), 90, np.uint8)
    sink.write(frame)  # reads '3'
    sink.write(frame)  # reads nothing
    assert sink.poll_events() == ["lens:3"]
    assert sink.poll_events() == ["next"]  # no frame since the last poll: keys are read here
    sink.set_overlay("cartoon | 30 fps")
    sink.write(frame)
    assert (gui.shown[0] == 90).all() and not (gui.shown[-1] == 90).all()
    assert sink.poll_events() == []
    assert sink.poll_events() == ["quit"]  # the close button was clicked while keys were read
    sink.write(frame)
    assert len(gui.shown) == 3  # not shown again: imshow would reopen the window
    assert sink.poll_events() == []
    sink.close()
    assert gui.destroy_calls == 0  # already gone


def test_window_close_is_idempotent(monkeypatch):
    gui = ScriptedHighGui([])
    gui.install(monkeypatch)
    with open_sink("window", 64, 48, 30) as sink:
        sink.write(np.zeros((48, 64, 3), np.uint8))
    sink.close()
    assert gui.destroy_calls == 1
