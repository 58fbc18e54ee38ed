"""Fixtures for the sink tests: pyvirtualcam's real Camera class driven through a recording backend."""

from __future__ import annotations

import platform

import numpy as np
import pytest
import pyvirtualcam
from pyvirtualcam.camera import BACKENDS
from pyvirtualcam.util import decode_fourcc


class RecordingBackend:
    """A pyvirtualcam backend (the interface documented by ``pyvirtualcam.Backend``) that keeps what it gets.

    Every instance is appended to ``opened`` so a test can look at the arguments and frames afterwards.
    """

    opened: list[RecordingBackend] = []
    fail_with: str | None = None  # set to make opening raise, as a backend without a device does

    def __init__(self, *, width: int, height: int, fps: float, fourcc: int, device: str | None, **kw) -> None:
        if self.fail_with is not None:
            raise RuntimeError(self.fail_with)
        self.width, self.height, self.fps, self.device_arg = width, height, fps, device
        self.pixel_format = decode_fourcc(fourcc)
        self.frames: list[np.ndarray] = []
        self.close_calls = 0
        type(self).opened.append(self)

    def send(self, frame: np.ndarray) -> None:
        self.frames.append(frame.copy())

    def close(self) -> None:
        self.close_calls += 1

    def device(self) -> str:
        return self.device_arg or "/dev/video-recorder"

    def native_fourcc(self) -> None:
        return None


@pytest.fixture
def recording_camera(monkeypatch):
    """Returns ``use(system, backend_name, fail_with=None)``: pretend to be on ``system`` where the only
    virtual camera backend is a RecordingBackend registered (with pyvirtualcam.register_backend) as
    ``backend_name``. Restores pyvirtualcam's backends afterwards."""
    saved = dict(BACKENDS)

    def use(system: str, backend_name: str, fail_with: str | None = None) -> type[RecordingBackend]:
        monkeypatch.setattr(platform, "system", lambda: system)
        recorder = type("Recorder", (RecordingBackend,), {"opened": [], "fail_with": fail_with})
        BACKENDS.clear()
        pyvirtualcam.register_backend(backend_name, recorder)
        return recorder

    yield use
    BACKENDS.clear()
    BACKENDS.update(saved)
