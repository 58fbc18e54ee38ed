"""The running engine as the page sees it: state to show, and the changes the page may ask for.

Nothing in ``lensengine.pipeline`` changes for the studio; ``StudioEngine`` wraps an open ``FrameLoop`` before it
runs:

- its sink goes behind a ``TapSink`` (the preview reads the newest frame from there; the output size can change);
- its source goes behind a ``SwitchableSource`` (the input can change while the capture thread reads);
- a ``LoopCommands`` control joins the loop's controls: the loop polls it between two frames, so every change
  to the lens, the tracker or the super-resolution stage happens on the loop's own thread, never mid-frame.

Slow work (loading a lens, opening a camera, creating a tracker) happens off the loop's thread; only the swap
itself runs between frames, so the output never freezes.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.pipeline.loop import FrameLoop
from lensengine.pipeline.stats import STAGES
from lensengine.studio.preview import PreviewEncoder, TapSink
from lensengine.studio.settings import SettingError, check_settings

log = logging.getLogger("lensengine.studio")

MESSAGE_AGE_S = 60.0  # the page shows the engine's warnings of the last minute


class LoopCommands:
    """Functions queued from other threads and run by the frame loop between two frames (as ``poll_events``)."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()

    def call(self, fn: Callable[[], object]) -> None:
        self._queue.put((fn, None))

    def call_and_wait(self, fn: Callable[[], object], timeout: float = 10.0) -> object:
        """Run ``fn`` on the loop's thread and return its result (its exception is raised here)."""
        done = threading.Event()
        box: dict = {}
        self._queue.put((fn, (done, box)))
        if not done.wait(timeout):
            raise SettingError("the engine did not take the change in time (is it still running?)")
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def poll_events(self) -> list[str]:
        while True:
            try:
                fn, reply = self._queue.get_nowait()
            except queue.Empty:
                return []
            try:
                result = fn()
                if reply is not None:
                    reply[1]["result"] = result
            except Exception as exc:  # a failed change is reported to the page, the loop goes on
                if reply is None:
                    log.warning("studio: %s: %s", type(exc).__name__, exc)
                else:
                    reply[1]["error"] = exc
            finally:
                if reply is not None:
                    reply[0].set()


class SwitchableSource:
    """A source whose device can be replaced while the capture thread reads it (``replace``)."""

    def __init__(self, source, spec: str) -> None:
        self.current, self.spec = source, spec
        self._lock = threading.Lock()

    name = property(lambda self: self.current.name)
    size = property(lambda self: self.current.size)
    fps = property(lambda self: self.current.fps)
    live = property(lambda self: self.current.live)

    def read(self) -> np.ndarray:
        with self._lock:
            return self.current.read()

    def replace(self, new, spec: str):
        """Swap in ``new`` between two reads; returns the old source (still open)."""
        with self._lock:
            old, self.current, self.spec = self.current, new, spec
        return old

    def close(self) -> None:
        self.current.close()


class RecentMessages(logging.Handler):
    """The engine's recent warnings and errors (lens failed to load, a lens raised), for the page."""

    def __init__(self, keep: int = 8) -> None:
        super().__init__(logging.WARNING)
        self.lines: deque[tuple[float, str]] = deque(maxlen=keep)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append((time.time(), record.getMessage().splitlines()[0][:300]))
        except Exception:
            pass


def _median(values) -> float | None:
    try:
        values = list(values)
    except RuntimeError:  # changed while copied: skip this update
        return None
    return round(float(np.median(values)), 2) if values else None


class StudioEngine:
    """Wraps an open FrameLoop (before ``run``): state for the page and validated changes.

    ``settings`` are the EngineSettings it was opened with; ``registry`` the loaded plugins (for SR packs);
    ``note`` a line shown on the page (e.g. why the output is ``null``).
    """

    def __init__(self, loop: FrameLoop, settings, registry=None, note: str | None = None) -> None:
        self.loop, self.settings, self.registry, self.note = loop, settings, registry, note
        self.tap = TapSink(loop.sink)
        loop.sink = self.tap
        loop.controls[0] = self.tap
        self.source = SwitchableSource(loop.source, settings.input)
        loop.source = self.source
        self.commands = LoopCommands()
        loop.controls.append(self.commands)
        self.preview = PreviewEncoder(self.tap, dropped=lambda: loop.stats.dropped)
        self.messages = RecentMessages()
        logging.getLogger("lensengine").addHandler(self.messages)
        self.values = {"max_faces": settings.max_faces, "superres": settings.superres, "input": settings.input}
        self.superres_packs = self._superres_packs()
        self.pending_lens: str | None = None
        self._pending_since = 0.0
        self._owned: list = []  # trackers, SR stages and sources the studio opened: closed when swapped out or at exit
        self._change = threading.Lock()

    def _superres_packs(self) -> list[str]:
        if self.registry is None:
            return []
        from lensengine.lenses.catalogue import superres_packs

        try:
            return sorted(superres_packs(self.registry))
        except Exception as exc:
            log.warning("studio: super-resolution packs could not be listed: %s", exc)
            return []

    def start(self) -> None:
        self.preview.start()

    def close(self) -> None:
        self.preview.stop()
        logging.getLogger("lensengine").removeHandler(self.messages)
        for thing in self._owned:
            try:
                thing.close()
            except Exception as exc:
                log.debug("studio: closing %r: %s", thing, exc)
        self._owned.clear()

    # ---- what the page shows

    @property
    def lens_names(self) -> list[str]:
        return [spec.name for spec in self.loop.lenses.order]

    def state(self) -> dict:
        loop, stats, lenses = self.loop, self.loop.stats, self.loop.lenses
        if self.pending_lens is not None and (self.pending_lens == lenses.name or self._load_failed()):
            self.pending_lens = None
        width, height = self.source.size
        stages = {stage: _median(stats.samples[stage]) for stage in STAGES}
        return {
            "running": not loop.stop.is_set(),
            "lens": lenses.name,
            "enabled": lenses.enabled,
            "pending": self.pending_lens,
            "fps": round(stats.fps(), 1),
            "frames": stats.frames,
            "faces": stats.faces,
            "dropped": stats.dropped,
            "repeated": stats.repeated,
            "latency_ms": _median(stats.latencies),
            "stages": {k: v for k, v in stages.items() if v is not None},
            "input": {"name": self.source.name, "spec": self.source.spec, "size": f"{width}x{height}"},
            "output": {"name": self.tap.name, "size": f"{self.tap.width}x{self.tap.height}"},
            "note": self.note,
            "settings": {**self.values, "output_size": f"{self.tap.width}x{self.tap.height}"},
            "superres_choices": ["auto", "none", *self.superres_packs],
            "preview": {"frames": self.preview.encoded, "encode_ms": round(self.preview.encode_ms, 2)},
            "messages": [line for at, line in list(self.messages.lines)[-4:] if time.time() - at < MESSAGE_AGE_S],
        }

    # ---- what the page changes

    def _load_failed(self) -> bool:
        """Whether the switcher logged that the pending lens failed (or took too long) to load."""
        needle = f"lens {self.pending_lens} "
        return any(at >= self._pending_since and needle in line for at, line in list(self.messages.lines))

    def switch_lens(self, name: str) -> None:
        """Load ``name`` in the background (the current lens keeps serving frames until it is ready)."""
        self.pending_lens = name if name != self.loop.lenses.name else None
        self._pending_since = time.time()
        self.commands.call(lambda: self.loop.lenses.switch(name))

    def set_enabled(self, enabled: bool) -> None:
        def apply() -> None:
            self.loop.lenses.enabled = enabled

        self.commands.call(apply)

    def apply_settings(self, body: object) -> dict:
        """Check and apply the settings in ``body``; a SettingError (one line) for bad input or a failed change."""
        checked = check_settings(body, self.superres_packs)
        if not self._change.acquire(blocking=False):
            raise SettingError("another change is still being applied; try again in a moment")
        try:
            for name, value in checked.items():
                try:
                    getattr(self, f"_set_{name}")(value)
                except LensEngineError as exc:
                    raise SettingError(f"{name.replace('_', ' ')}: {exc}") from None
        finally:
            self._change.release()
        return self.state()["settings"]

    def _swap(self, setter: Callable[[], object]) -> object:
        """Run ``setter`` between two frames; it returns what it replaced, which is closed if the studio opened it."""
        old = self.commands.call_and_wait(setter)
        if old is not None and any(old is thing for thing in self._owned):
            self._owned = [thing for thing in self._owned if thing is not old]
            old.close()
        return old

    def _set_max_faces(self, value: int) -> None:
        from lensengine.face.tracker import FaceTracker

        processor = self.loop.processor
        if value == self.values["max_faces"]:
            return
        old = processor.tracker
        tracker = FaceTracker(
            model_path=old.model_path,
            max_faces=value,
            small_faces=old.small_faces is not None,
            landmarks_every=old.landmarks_every,
            background=old.background,
        )
        self._owned.append(tracker)

        def setter():
            old, processor.tracker = processor.tracker, tracker
            return old

        self._swap(setter)
        self.values["max_faces"] = value

    def _set_superres(self, value: str) -> None:
        from lensengine.compose.superres import SuperResChoice
        from lensengine.lenses.catalogue import resolve_superres

        if value == self.values["superres"]:
            return
        stage = resolve_superres(value, self.registry, backend=self.settings.backend) if self.registry else None
        if stage is not None:
            self._owned.append(stage)
        choice = SuperResChoice.for_setting(stage, value)
        processor = self.loop.processor

        def setter():
            old, processor.superres = processor.superres, choice
            return None if old is None else old.stage

        self._swap(setter)
        self.values["superres"] = value

    def _set_input(self, spec: str) -> None:
        from lensengine.sources import open_source

        if spec == self.source.spec:
            return
        new = open_source(spec, size=self.settings.size, fps=self.settings.fps, loop=True)
        self._owned.append(new)
        old = self.source.replace(new, spec)
        self.commands.call(self.loop.processor.tracker.reset)  # new faces, new ids
        old.close()  # the camera is free for others again (closing twice is harmless)
        self._owned = [thing for thing in self._owned if thing is not old]
        self.values["input"] = spec

    def _set_output_size(self, size: tuple[int, int]) -> None:
        from lensengine.sinks import TeeSink, VideoFileSink, open_sink

        width, height = size
        if (width, height) == (self.tap.width, self.tap.height):
            return
        if isinstance(self.tap.inner, VideoFileSink) or "." in self.settings.output.split(":")[0]:
            raise SettingError("output size: a video file keeps the size it was opened with")
        output, fps = self.settings.output, self.tap.fps

        def open_at(w: int, h: int):
            sink = open_sink(output, w, h, fps)
            if self.settings.preview and output != "window":
                sink = TeeSink([sink, open_sink("window", w, h, fps)])
            return sink

        old = self.tap.inner
        failed: list[BaseException] = []

        def reopen():
            old.close()  # a virtual camera device must be free before it is opened at the new size
            try:
                new = open_at(width, height)
            except Exception as exc:
                failed.append(exc)
                new = open_at(old.width, old.height)
            self._owned.append(new)
            return new

        self.tap.replace(reopen)
        self._owned = [thing for thing in self._owned if thing is not old]
        if failed:
            raise SettingError(f"output size: {failed[0]}")
