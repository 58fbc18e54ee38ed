"""Hotkeys of the preview window, as the event strings every sink's ``poll_events`` speaks.

1-9 pick lens 1-9 and 0 picks lens 10 ("lens:<k>"); n / p step to the next / previous lens; space turns the
lens on and off ("toggle"); q or Esc quits. Letters work in either case.

Codes come from ``cv2.waitKeyEx``, whose meaning differs by GUI backend: printable keys and Esc arrive as
their character code, possibly with modifier flags above bit 16 (GTK); special keys arrive as X11 keysyms
0xFFxx (Qt, GTK), 0xF7xx (macOS) or a virtual-key code shifted left by 16 (Windows). ``cv2.waitKey`` would
keep only the low byte, which turns the Left arrow (0xFF51) into "Q"; here any code with bits 8-15 set is a
special key and means nothing.
"""

from __future__ import annotations

ESCAPE = 27

EVENT_FOR_CHARACTER = {"n": "next", "p": "prev", " ": "toggle", "q": "quit", chr(ESCAPE): "quit"}


def event_for_key(key: int) -> str | None:
    """The event for a ``cv2.waitKeyEx`` code (-1: no key), or None if the key means nothing."""
    if key < 0 or key & 0xFF00:
        return None
    character = chr(key & 0xFF).lower()
    if "0" <= character <= "9":
        number = int(character)
        return f"lens:{number if number else 10}"
    return EVENT_FOR_CHARACTER.get(character)
