"""Switching lenses from the terminal while ``lensengine run`` is running.

Each line typed is one command: a lens name or its number in ``lensengine lenses`` order switches to it;
``n`` / ``p`` next / previous, ``off`` / ``on`` (or an empty line) toggle the lens, ``q`` quits. The lines are
read in a daemon thread and handed to the frame loop as the same events the window's hotkeys make.
"""

from __future__ import annotations

import queue
import threading
from typing import TextIO

WORDS = {
    "n": "next",
    "next": "next",
    "p": "prev",
    "prev": "prev",
    "q": "quit",
    "quit": "quit",
    "": "toggle",
    "on": "toggle",
    "off": "toggle",
    "toggle": "toggle",
}


def line_to_event(line: str) -> str:
    """One typed line as a loop event: "next", "prev", "toggle", "quit", "lens:<k>" or "use:<name>"."""
    word = line.strip()
    if word.lower() in WORDS:
        return WORDS[word.lower()]
    if word.isdigit():
        return f"lens:{int(word)}"
    return f"use:{word}"


class StdinControl:
    """Reads commands from ``stream`` in the background; ``poll_events()`` returns those typed since last time."""

    def __init__(self, stream: TextIO) -> None:
        self._events: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), name="stdin-control", daemon=True)
        self._thread.start()

    def _read(self, stream: TextIO) -> None:
        for line in stream:
            self._events.put(line_to_event(line))

    def poll_events(self) -> list[str]:
        events = []
        while not self._events.empty():
            events.append(self._events.get_nowait())
        return events
