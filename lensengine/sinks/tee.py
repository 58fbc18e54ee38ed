"""Several sinks fed with the same frames, e.g. the virtual camera plus a preview window (``--preview``)."""

from __future__ import annotations

import numpy as np

from lensengine.sinks.base import Sink


class TeeSink(Sink):
    """Writes every frame to each of ``sinks`` (each resizes to its own size) and closes them all.

    Its size and rate are those of the first sink; it is live if any sink is; events and the overlay text
    go to and come from every sink that has them. The tee takes ownership: closing it closes every sink.
    """

    live = False

    def __init__(self, sinks: list[Sink]) -> None:
        if not sinks:
            raise ValueError("TeeSink needs at least one sink")
        first = sinks[0]
        super().__init__(first.width, first.height, first.fps)
        self.sinks = list(sinks)
        self.name = "+".join(sink.name for sink in self.sinks)
        self.live = any(sink.live for sink in self.sinks)

    def _send(self, frame_bgr: np.ndarray) -> None:
        for sink in self.sinks:
            sink.write(frame_bgr)

    def poll_events(self) -> list[str]:
        return [event for sink in self.sinks for event in sink.poll_events()]

    def set_overlay(self, text: str) -> None:
        """Pass the status text to every sink that shows one (the window)."""
        for sink in self.sinks:
            set_overlay = getattr(sink, "set_overlay", None)
            if callable(set_overlay):
                set_overlay(text)

    def _release(self) -> None:
        for sink in self.sinks:
            sink.close()
