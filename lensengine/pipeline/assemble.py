"""Assembles a running engine (source, tracker, lens, sink, frame loop) from plain settings.

Used by ``lensengine run``, the benchmarks and the end-to-end tests, so all three exercise the same path.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lensengine.errors import LensEngineError

if TYPE_CHECKING:  # the loop and its parts are imported when an engine opens, not when the CLI starts
    from lensengine.pipeline.loop import FrameLoop

DEFAULT_LENS = "thug_glasses"
FALLBACK_LENS = "thug_glasses_classic"
DEFAULT_LANDMARKS_EVERY = 2  # the face landmark model on every other frame, optical flow between (face/tracker.py)


@dataclass
class EngineSettings:
    lens: str | None = None
    input: str = "0"
    output: str = "virtualcam"
    size: tuple[int, int] | None = None
    fps: float | None = None
    max_faces: int = 4
    small_faces: bool = True  # search tiles for faces too small for the full-frame pass (face/small_faces.py)
    landmarks_every: int = DEFAULT_LANDMARKS_EVERY  # landmark model on 1 frame in N, optical flow between
    preview: bool = False
    loop: bool = False
    face_model: str | None = None
    backend: str = "auto"
    superres: str = "auto"  # NAME of an SR pack, "none", or "auto" (an installed SR pack, if any)
    lens_timeout: float = 1.0
    lens_load_timeout: float = 120.0
    lens_threads: int | None = None  # CPU threads of a neural lens's backend (None: cores less one, see cpu_cores)
    overlap: bool = True  # track frame N+1 while frame N is lensed and pasted (pipeline/overlap)
    realtime: bool | None = None  # None: real time for cameras and live outputs
    frames: int | None = None
    stats_every: float | None = None
    controls: tuple = ()  # extra event sources (e.g. StdinControl) besides the window's hotkeys

    def validate(self) -> None:
        """A LensEngineError naming the first setting out of range (the CLI's one-line error)."""
        _positive("--lens-timeout", self.lens_timeout, "seconds")
        _positive("--lens-load-timeout", self.lens_load_timeout, "seconds")
        if self.fps is not None:
            _positive("--fps", self.fps, "frames per second")
        if self.lens_threads is not None and (not isinstance(self.lens_threads, int) or self.lens_threads < 1):
            raise LensEngineError(f"--lens-threads must be a whole number of at least 1, not {self.lens_threads}")
        if not isinstance(self.landmarks_every, int) or self.landmarks_every < 1:
            raise LensEngineError(f"--landmarks-every must be a whole number of at least 1, not {self.landmarks_every}")
        if self.max_faces < 1:
            raise LensEngineError(f"--max-faces must be at least 1, not {self.max_faces}")
        if self.frames is not None and self.frames < 1:
            raise LensEngineError(f"--frames must be at least 1, not {self.frames} (leave it out to run until stopped)")


def _positive(option: str, value: float, unit: str) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise LensEngineError(f"{option} must be a positive number of {unit}, not {value}")


def _default_lens(catalogue) -> str:
    names = {s.name for s in catalogue}
    return DEFAULT_LENS if DEFAULT_LENS in names else FALLBACK_LENS


@contextmanager
def open_engine(settings: EngineSettings, stop: threading.Event | None = None) -> Iterator[FrameLoop]:
    """Open everything ``settings`` names and yield the FrameLoop; everything is released on exit."""
    from lensengine.compose.superres import SuperResChoice
    from lensengine.face.tracker import FaceTracker
    from lensengine.lenses.catalogue import lens_catalogue, resolve_lens, resolve_superres
    from lensengine.lenses.plugins import load_plugins
    from lensengine.lenses.switcher import LensController
    from lensengine.pipeline.loop import FrameLoop
    from lensengine.pipeline.process import FrameProcessor
    from lensengine.pipeline.stats import PipelineStats
    from lensengine.sinks import open_sink
    from lensengine.sinks.tee import TeeSink
    from lensengine.sources import open_source

    settings.validate()
    if settings.lens_threads is not None:  # read by the CPU backends when the lenses load
        from lensengine.inference.cpu_cores import LENS_THREADS_ENV

        os.environ[LENS_THREADS_ENV] = str(settings.lens_threads)
    stop = stop or threading.Event()
    registry = load_plugins()
    catalogue = lens_catalogue(registry, backend=settings.backend)
    spec, order = resolve_lens(settings.lens or _default_lens(catalogue), catalogue, backend=settings.backend)
    with ExitStack() as stack:
        source = stack.enter_context(
            open_source(settings.input, size=settings.size, fps=settings.fps, loop=settings.loop)
        )
        width, height = source.size
        sink = stack.enter_context(open_sink(settings.output, width, height, source.fps))
        if settings.preview and sink.name != "window":
            sink = TeeSink([sink, stack.enter_context(open_sink("window", width, height, source.fps))])
        realtime = settings.realtime if settings.realtime is not None else (source.live or sink.live)
        tracker = stack.enter_context(
            FaceTracker(
                model_path=settings.face_model,
                max_faces=settings.max_faces,
                small_faces=settings.small_faces,
                landmarks_every=settings.landmarks_every,
                background=realtime,  # in real time the landmark model runs beside the frame path
            )
        )
        lenses = LensController(
            order, spec.name, timeout=settings.lens_timeout, load_timeout=settings.lens_load_timeout, stop=stop
        )
        stack.callback(lenses.close)
        superres = resolve_superres(settings.superres, registry, backend=settings.backend)
        if superres is not None:
            stack.callback(superres.close)
        stats = PipelineStats()
        yield FrameLoop(
            source,
            sink,
            FrameProcessor(tracker, stats, SuperResChoice.for_setting(superres, settings.superres)),
            lenses,
            stats,
            realtime=realtime,
            max_frames=settings.frames,
            stats_every=settings.stats_every,
            stop=stop,
            overlap=settings.overlap,
            controls=list(settings.controls),
        )
