"""Which lens is in use, and switching to another while frames keep flowing.

A new lens is created (models loaded, warmed up) in a background thread; until it is ready the old lens keeps
serving frames, so the output never freezes. Hotkey events from the window sink arrive through ``handle``.

The first lens loads in a background thread too, while the caller waits for it with a time limit and an eye on
``stop``: a plugin whose ``create()`` hangs cannot make the engine unkillable (the loading thread is a daemon,
abandoned at exit), and one that takes longer than ``load_timeout`` is named in a one-line error.
"""

from __future__ import annotations

import logging
import threading
import time

from lensengine.errors import LensEngineError
from lensengine.lens import LensSpec, unknown_lens
from lensengine.lenses.guard import LensRunner

log = logging.getLogger("lensengine.lens")

DEFAULT_LOAD_TIMEOUT_S = 120.0


def _plugin(spec: LensSpec) -> str:
    return f"plugin {spec.plugin}" if spec.plugin else "no plugin"


def _create(spec: LensSpec) -> object:
    lens = spec.create()
    warmup = getattr(lens, "warmup", None)
    if callable(warmup):
        warmup()
    return lens


class LensController:
    """Holds the active LensRunner; ``order`` is the lens list that number keys and n/p walk through."""

    def __init__(
        self,
        order: list[LensSpec],
        initial: str,
        timeout: float = 1.0,
        load_timeout: float = DEFAULT_LOAD_TIMEOUT_S,
        stop: threading.Event | None = None,
    ) -> None:
        """Loads ``initial`` and waits for it; returns early, with no lens in use, once ``stop`` is set."""
        self.order = order
        self.timeout = timeout
        self.load_timeout = load_timeout
        self.enabled = True
        self._lock = threading.Lock()
        self._ready: LensRunner | None = None
        self._loading: str | None = None
        self.runner: LensRunner | None = None
        self.spec = self._spec(initial)
        self._wait_for_first(self.spec, stop or threading.Event())

    def _wait_for_first(self, spec: LensSpec, stop: threading.Event) -> None:
        failure: list[BaseException] = []

        def load() -> None:
            try:
                runner = LensRunner(spec, _create(spec), self.timeout)
            except BaseException as exc:  # a plugin's create() may raise anything, SystemExit included
                failure.append(exc)
                return
            with self._lock:
                self._ready = runner

        thread = threading.Thread(target=load, name=f"load-{spec.name}", daemon=True)
        thread.start()
        deadline = time.monotonic() + self.load_timeout
        while thread.is_alive() and not stop.is_set() and time.monotonic() < deadline:
            stop.wait(0.05)
        if failure:
            exc = failure[0]
            raise LensEngineError(f"lens {spec.name!r} ({_plugin(spec)}) failed to load: {type(exc).__name__}: {exc}")
        if thread.is_alive() and not stop.is_set():
            raise LensEngineError(
                f"lens {spec.name!r} ({_plugin(spec)}) did not load within {self.load_timeout:g} s: its create() "
                "hangs or is very slow; try another lens or raise --lens-load-timeout"
            )
        self.active()  # takes the loaded lens in (nothing when stop came first)

    def _spec(self, name: str) -> LensSpec:
        for spec in self.order:
            if spec.name == name:
                return spec
        find = getattr(self.order, "find", None)  # a LensCatalogue also knows dist:name, and says when ambiguous
        if find is not None and (spec := find(name)) is not None:
            return spec
        raise unknown_lens(name, [s.name for s in self.order])

    @property
    def name(self) -> str:
        return self.spec.name

    def active(self) -> LensRunner | None:
        """The runner to use for the next frame (swapping in a newly loaded lens first), or None when toggled off."""
        with self._lock:
            if self._ready is not None:
                old, self.runner, self._ready = self.runner, self._ready, None
                self.spec = self.runner.spec
                if old is not None:
                    log.info("lens switched to %s", self.spec.name)
                    old.close()
        return self.runner if self.enabled else None

    def wants_faces(self) -> bool:
        """Whether the coming frames need their faces tracked: the lens on, or the one about to be swapped in, is a
        face lens. Safe from another thread (the frame loop's tracking stage); swaps nothing."""
        with self._lock:
            coming = self._ready.spec if self._ready is not None else self.spec
        return self.enabled and coming.kind == "face"

    def switch(self, name: str) -> None:
        """Start loading ``name`` in the background; the current lens serves frames until it is ready."""
        spec = self._spec(name)
        if spec.name == self.name or spec.name == self._loading:
            return
        self._loading = spec.name
        threading.Thread(target=self._load, args=(spec,), name=f"load-{spec.name}", daemon=True).start()
        threading.Thread(target=self._watch_load, args=(spec,), name=f"watch-{spec.name}", daemon=True).start()

    def _watch_load(self, spec: LensSpec) -> None:
        """Names a lens whose loading outlasts ``load_timeout``, and frees the slot for another choice."""
        deadline = time.monotonic() + self.load_timeout
        while self._loading == spec.name and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._loading == spec.name:
            self._loading = None
            log.error(
                "lens %s (%s) did not load within %g s (keeping %s)",
                spec.name,
                _plugin(spec),
                self.load_timeout,
                self.name,
            )

    def _load(self, spec: LensSpec) -> None:
        try:
            runner = LensRunner(spec, _create(spec), self.timeout)
        except BaseException as exc:  # a plugin's create() may raise anything, SystemExit included
            log.error(
                "lens %s (%s) failed to load: %s: %s (keeping %s)",
                spec.name,
                _plugin(spec),
                type(exc).__name__,
                exc,
                self.name,
            )
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
            if self.runner is not None:
                self.runner.close()
            if self._ready is not None:
                self._ready.close()
