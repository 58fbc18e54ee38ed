"""Which lens is in use, and switching to another while frames keep flowing.

A new lens is created (models loaded, warmed up) in a background thread; until it is ready the old lens keeps
serving frames, so the output never freezes. Hotkey events from the window sink arrive through ``handle``.
"""

from __future__ import annotations

import logging
import threading

from lensengine.errors import LensEngineError
from lensengine.lens import LensSpec
from lensengine.lenses.guard import LensRunner

log = logging.getLogger("lensengine.lens")


def _create(spec: LensSpec) -> object:
    lens = spec.create()
    warmup = getattr(lens, "warmup", None)
    if callable(warmup):
        warmup()
    return lens


class LensController:
    """Holds the active LensRunner; ``order`` is the lens list that number keys and n/p walk through."""

    def __init__(self, order: list[LensSpec], initial: str, timeout: float = 1.0) -> None:
        self.order = order
        self.timeout = timeout
        self.enabled = True
        self._lock = threading.Lock()
        self._ready: LensRunner | None = None
        self._loading: str | None = None
        spec = self._spec(initial)
        try:
            self.runner = LensRunner(spec, _create(spec), timeout)
        except Exception as exc:
            raise LensEngineError(f"lens {spec.name!r} failed to load: {type(exc).__name__}: {exc}") from exc

    def _spec(self, name: str) -> LensSpec:
        for spec in self.order:
            if spec.name == name:
                return spec
        known = ", ".join(s.name for s in self.order) or "none"
        raise LensEngineError(f"unknown lens {name!r}; known lenses: {known}")

    @property
    def name(self) -> str:
        return self.runner.spec.name

    def active(self) -> LensRunner | None:
        """The runner to use for the next frame (swapping in a newly loaded lens first), or None when toggled off."""
        with self._lock:
            if self._ready is not None:
                old, self.runner, self._ready = self.runner, self._ready, None
                log.info("lens switched to %s", self.runner.spec.name)
                old.close()
        return self.runner if self.enabled else None

    def switch(self, name: str) -> None:
        """Start loading ``name`` in the background; the current lens serves frames until it is ready."""
        spec = self._spec(name)
        if spec.name == self.runner.spec.name or spec.name == self._loading:
            return
        self._loading = spec.name
        threading.Thread(target=self._load, args=(spec,), name=f"load-{spec.name}", daemon=True).start()

    def _load(self, spec: LensSpec) -> None:
        try:
            runner = LensRunner(spec, _create(spec), self.timeout)
        except Exception as exc:
            log.error("lens %s failed to load: %s: %s (keeping %s)", spec.name, type(exc).__name__, exc, self.name)
            return
        finally:
            if self._loading == spec.name:
                self._loading = None
        with self._lock:
            if self._ready is not None:
                self._ready.close()
            self._ready = runner

    def handle(self, event: str) -> None:
        """Hotkeys and typed commands: "toggle", "next", "prev", "lens:<k>" (1-based position in ``order``),
        "use:<name>"."""
        names = [s.name for s in self.order]
        index = names.index(self.name) if self.name in names else 0
        if event == "toggle":
            self.enabled = not self.enabled
        elif event in ("next", "prev"):
            self.switch(names[(index + (1 if event == "next" else -1)) % len(names)])
        elif event.startswith("lens:"):
            k = int(event.split(":", 1)[1]) - 1
            if 0 <= k < len(names):
                self.switch(names[k])
        elif event.startswith("use:"):
            try:
                self.switch(event.split(":", 1)[1])
            except LensEngineError as exc:
                log.warning("%s", exc)

    def close(self) -> None:
        with self._lock:
            self.runner.close()
            if self._ready is not None:
                self._ready.close()
