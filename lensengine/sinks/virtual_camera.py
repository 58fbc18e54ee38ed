"""Sending frames to a virtual camera (pyvirtualcam) that Zoom, Meet, Teams, OBS or a browser can pick.

The engine paces frames itself, so ``Camera.sleep_until_next_frame`` is never called. Each backend gets its
native pixel format (see camera_pixel_formats). With a YUV format, an odd frame size is padded to even.
When no virtual camera exists, the error says how to create one on this operating system.
"""

from __future__ import annotations

import platform

import numpy as np
import pyvirtualcam
from pyvirtualcam.camera import BACKENDS

from lensengine.errors import LensEngineError
from lensengine.sinks.base import Sink
from lensengine.sinks.camera_pixel_formats import CONVERTER_FOR_FORMAT, NEEDS_EVEN_SIZE, pixel_format_for
from lensengine.sinks.frame_fit import even_size, pad_to

FALLBACK_HINT = "or use --output window / --output out.mp4"

STATUS_PROBE_SIZE = (320, 240, 30.0)


def virtual_camera_fix() -> str:
    """One line saying how to get a virtual camera on this operating system."""
    system = platform.system()
    if system == "Linux":
        return (
            "create one with: sudo modprobe v4l2loopback exclusive_caps=1 card_label=lensengine"
            " (package v4l2loopback-dkms; Secure Boot may block the module: sign it or turn Secure Boot off), "
            + FALLBACK_HINT
        )
    if system == "Windows":
        return "install OBS Studio and start its virtual camera once, " + FALLBACK_HINT
    if system == "Darwin":
        return (
            "install OBS Studio, start its virtual camera once and approve the OBS camera extension"
            " in System Settings, " + FALLBACK_HINT
        )
    return f"pyvirtualcam has no virtual camera for {system}; use --output window / --output out.mp4"


def _one_line(text: str) -> str:
    return " ".join(text.split())


class VirtualCameraSink(Sink):
    """Opens the virtual camera of ``backend`` (each registered one in turn if None) at ``device`` (any if None).

    After opening: ``backend`` and ``device`` name the camera in use, ``pixel_format`` is what it is sent and
    ``frame_size`` the size the camera was opened with (``width`` x ``height``, padded to even for YUV).
    """

    name = "virtualcam"
    live = True

    def __init__(
        self, width: int, height: int, fps: float, backend: str | None = None, device: str | None = None
    ) -> None:
        super().__init__(width, height, fps)
        if backend is not None and backend not in BACKENDS:
            known = ", ".join(BACKENDS) or "none"
            raise LensEngineError(
                f"unknown virtual camera backend {backend!r} (this system has: {known}); "
                "use --output virtualcam to pick one automatically"
            )
        failures = []
        for candidate in [backend] if backend else list(BACKENDS):
            self.pixel_format = pixel_format_for(candidate)
            needs_even = self.pixel_format in NEEDS_EVEN_SIZE
            self.frame_size = even_size(self.width, self.height) if needs_even else (self.width, self.height)
            try:
                self._camera = pyvirtualcam.Camera(
                    *self.frame_size, self.fps, fmt=self.pixel_format, backend=candidate, device=device
                )
                break
            except RuntimeError as exc:
                failures.append(_one_line(str(exc)))
        else:
            reason = "; ".join(failures) or "no virtual camera backend is available"
            raise LensEngineError(f"no virtual camera ({reason}); {virtual_camera_fix()}")
        self.backend = self._camera.backend
        self.device = self._camera.device
        self._convert = CONVERTER_FOR_FORMAT[self.pixel_format]

    def _send(self, frame_bgr: np.ndarray) -> None:
        self._camera.send(self._convert(pad_to(frame_bgr, *self.frame_size)))

    def _release(self) -> None:
        self._camera.close()


def virtual_camera_status() -> tuple[bool, str]:
    """For ``lensengine doctor``: open a small virtual camera and close it again; (works, one-line message)."""
    try:
        with VirtualCameraSink(*STATUS_PROBE_SIZE) as sink:
            return True, f"virtual camera ok: {sink.device} ({sink.backend} backend, {sink.pixel_format} frames)"
    except LensEngineError as exc:
        return False, str(exc)
