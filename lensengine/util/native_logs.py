"""Quiet native logging: MediaPipe, TensorFlow Lite and absl write start-up chatter straight to file descriptor 2
("WARNING: Logging before InitGoogle()", "W0000 ... face_landmarker_graph.cc", "INFO: Created TensorFlow Lite
XNNPACK delegate"), below Python's logging and deaf to its settings. ``quiet_native_logs`` points descriptor 2
at the null device and Python's own ``sys.stderr`` at a copy of the real one, so lensengine's messages and
tracebacks still show and native libraries' do not; ``--verbose`` leaves everything as it is.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Within the block, native code's writes to stderr are dropped; Python's go to the terminal as before.
    Does nothing where ``sys.stderr`` is not the process's own (under pytest's capture, say)."""
    if sys.stderr is not sys.__stderr__ or sys.stderr is None:
        yield
        return
    sys.stderr.flush()
    real = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    python_stderr = os.fdopen(os.dup(real), "w", buffering=1, encoding=sys.stderr.encoding, errors="backslashreplace")
    saved_stderr = sys.stderr
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = python_stderr
    try:
        yield
    finally:
        python_stderr.flush()
        sys.stderr = saved_stderr
        os.dup2(real, 2)
        os.close(real)
        python_stderr.close()


class CurrentStderrHandler(logging.StreamHandler):
    """A logging handler that writes to whatever ``sys.stderr`` is when a record comes (it moves while native
    logs are quiet), not to the object it was at set-up."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass
