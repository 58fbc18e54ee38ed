"""One studio for the whole test session: the sample clip through the engine into the null output, with the page
served on a free port of 127.0.0.1 and every output frame measured as it is written."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the studio needs its extra: pip install -e '.[studio]'")
pytest.importorskip("uvicorn", reason="the studio needs its extra: pip install -e '.[studio]'")

START_LENS = "thug_glasses_classic"


@dataclass
class FrameRecord:
    at: float  # time.monotonic() when the frame was written
    lens: str  # the lens that made it ("off" when the lens was turned off)
    mean: float  # mean brightness
    green: int  # pixels of the landmarks lens's pure green (G >= 220, B and R <= 60)
    sepia: float  # share of pixels with R >= G >= B (a sepia-toned frame has nearly all of them)
    signature: np.ndarray  # 40x30 grey thumbnail, to tell whether frames change


def measure(frame: np.ndarray, lens: str) -> FrameRecord:
    b, g, r = (frame[::4, ::4, i].astype(np.int16) for i in range(3))
    sepia = float(np.mean((r + 3 >= g) & (g + 3 >= b)))
    candidates = frame[frame[..., 1] >= 220]  # the landmarks lens's green, allowing for its soft dot edges
    green = int(np.count_nonzero((candidates[:, 0] <= 60) & (candidates[:, 2] <= 60)))
    small = frame[::16, ::16].mean(axis=-1).astype(np.uint8)
    return FrameRecord(time.monotonic(), lens, float(frame.mean()), green, sepia, small)


class Recorder:
    def __init__(self, lenses) -> None:
        self.lenses = lenses
        self.records: list[FrameRecord] = []

    def __call__(self, frame: np.ndarray) -> None:
        self.records.append(measure(frame, self.lenses.name if self.lenses.enabled else "off"))

    def since(self, t: float) -> list[FrameRecord]:
        return [r for r in list(self.records) if r.at >= t]


@pytest.fixture(scope="session")
def studio(tmp_path_factory):
    from lensengine.pipeline.assemble import EngineSettings
    from lensengine.studio.server import open_studio, output_for_studio

    settings = EngineSettings(lens=START_LENS, input="sample", output="null", loop=True, realtime=True, superres="none")
    stop = threading.Event()
    thumbs = tmp_path_factory.mktemp("thumbnails")
    note = output_for_studio(None)[1] or "The output goes to this page only (a test run)."
    with open_studio(settings, stop, port=0, note=note, thumbnail_folder=thumbs) as running:
        recorder = Recorder(running.loop.lenses)
        running.engine.tap.listeners.append(recorder)
        running.recorder = recorder
        errors: list[BaseException] = []

        def run() -> None:
            try:
                running.loop.run()
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=run, name="test-engine", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while running.loop.stats.frames < 5 and time.monotonic() < deadline and not errors:
            time.sleep(0.1)
        assert not errors, errors
        assert running.loop.stats.frames >= 5, "the engine wrote no frames"
        yield running
        stop.set()
        thread.join(timeout=10)
    assert not errors, errors


@pytest.fixture
def wait_for():
    """``wait_for(condition, timeout, what=...)``: the condition's first true value, else an AssertionError."""
    return _wait_for


def _wait_for(condition, timeout: float, step: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
