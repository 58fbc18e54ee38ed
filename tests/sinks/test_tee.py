"""TeeSink: one stream of frames into several sinks (``--preview``)."""

from __future__ import annotations

import numpy as np

from lensengine.sinks import NullSink, TeeSink
from lensengine.sinks.base import Sink


class HotkeySink(Sink):
    """A live sink with scripted events and an overlay, like the window, without needing a display."""

    name = "hotkeys"
    live = True

    def __init__(self, events: list[str]) -> None:
        super().__init__(64, 48, 30)
        self.events, self.overlay, self.frames = events, "", 0

    def _send(self, frame_bgr: np.ndarray) -> None:
        self.frames += 1

    def poll_events(self) -> list[str]:
        events, self.events = self.events, []
        return events

    def set_overlay(self, text: str) -> None:
        self.overlay = text

    def _release(self) -> None:
        """Nothing held."""


def test_tee_writes_to_every_sink_at_its_own_size():
    full, small = NullSink(64, 48, 30), NullSink(32, 24, 30)
    with TeeSink([full, small]) as tee:
        assert (tee.width, tee.height, tee.name, tee.live) == (64, 48, "null+null", False)
        tee.write(np.full((48, 64, 3), 50, np.uint8))
        tee.write(np.full((96, 128, 3), 60, np.uint8))
    assert full.frames_written == small.frames_written == 2
    assert full.last_frame.shape == (48, 64, 3) and small.last_frame.shape == (24, 32, 3)
    assert (small.last_frame == 60).all()
    assert full.closed and small.closed


def test_tee_is_live_if_any_sink_is_and_passes_events_and_overlay():
    hotkeys = HotkeySink(["lens:2", "quit"])
    tee = TeeSink([NullSink(64, 48, 30), hotkeys])
    assert tee.live and tee.name == "null+hotkeys"
    tee.write(np.zeros((48, 64, 3), np.uint8))
    tee.set_overlay("cartoon | 30 fps")
    assert tee.poll_events() == ["lens:2", "quit"] and tee.poll_events() == []
    assert hotkeys.overlay == "cartoon | 30 fps" and hotkeys.frames == 1
    tee.close()
    assert hotkeys.closed
