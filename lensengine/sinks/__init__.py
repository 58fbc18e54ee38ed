"""Output sinks: where finished frames go. ``open_sink`` turns an ``--output`` value into a sink.

Specs:
- ``virtualcam`` (the default): the first virtual camera found; ``virtualcam:<backend>`` picks a pyvirtualcam
  backend, ``virtualcam:<backend>:<device>`` also a device, e.g. ``virtualcam:v4l2loopback:/dev/video10``.
- ``window``: a preview window with hotkeys.
- ``null``: frames go nowhere (benchmarks).
- a file path ending in .mp4 (mp4v), .avi (MJPG), .mkv (FFV1, lossless) or .webm (VP8): a video file,
  overwritten if it exists.

``TeeSink([a, b])`` feeds several opened sinks at once (``--preview``: virtual camera plus window).
"""

from __future__ import annotations

from lensengine.errors import LensEngineError
from lensengine.sinks.base import Sink
from lensengine.sinks.null import NullSink
from lensengine.sinks.tee import TeeSink
from lensengine.sinks.video_file import SUPPORTED_EXTENSIONS, VideoFileSink, is_video_path
from lensengine.sinks.virtual_camera import VirtualCameraSink, virtual_camera_status
from lensengine.sinks.window import WindowSink

DEFAULT_SINK = "virtualcam"

__all__ = [
    "DEFAULT_SINK",
    "NullSink",
    "Sink",
    "TeeSink",
    "VideoFileSink",
    "VirtualCameraSink",
    "WindowSink",
    "open_sink",
    "virtual_camera_status",
]


def open_sink(spec: str, width: int, height: int, fps: float) -> Sink:
    """Open the output named by ``spec`` for frames of ``width`` x ``height`` at ``fps``."""
    spec = spec.strip() or DEFAULT_SINK
    kind, _, rest = spec.partition(":")
    if kind == "virtualcam":
        backend, _, device = rest.partition(":")
        return VirtualCameraSink(width, height, fps, backend=backend or None, device=device or None)
    if spec == "window":
        return WindowSink(width, height, fps)
    if spec == "null":
        return NullSink(width, height, fps)
    if is_video_path(spec):
        return VideoFileSink(spec, width, height, fps)
    raise LensEngineError(
        f"unknown output {spec!r}: use virtualcam[:<backend>[:<device>]], window, null or a video file"
        f" ending in {SUPPORTED_EXTENSIONS}"
    )
