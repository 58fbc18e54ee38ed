"""lensengine.testing.check_lens: a lens that keeps the contract passes; each way of breaking it is caught."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from lensengine.lens import FACE, FRAME, LensSpec
from lensengine.testing import LensConformanceError, check_lens
from lensengine.testing.conformance import REPORTS


class Darken:
    """A well-behaved face lens: the eye region a little darker, in a new array."""

    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []
        self.warmed = self.closed = False

    def warmup(self) -> None:
        self.warmed = True

    def apply(self, crops, landmarks):
        self.seen.append(crops.copy())
        out = crops.copy()
        out[:, 40:60] //= 2
        return out

    def close(self) -> None:
        self.closed = True


class Invert:
    def apply(self, frame):
        return 255 - frame


class InPlace(Darken):
    def apply(self, crops, landmarks):
        crops[:, 40:60] //= 2
        return crops.copy()


class ReturnsInput(Darken):
    def apply(self, crops, landmarks):
        return crops


class ReusesBuffer(Darken):
    def apply(self, crops, landmarks):
        if not hasattr(self, "buffer") or self.buffer.shape != crops.shape:
            self.buffer = np.empty_like(crops)
        self.buffer[:] = crops
        return self.buffer


class Float(Darken):
    def apply(self, crops, landmarks):
        return crops.astype(np.float32)


class OneFaceOnly(Darken):
    def apply(self, crops, landmarks):
        return crops[:1].copy()


class SwapsColours(Darken):
    def apply(self, crops, landmarks):
        return np.ascontiguousarray(super().apply(crops, landmarks)[..., ::-1])


class Raises(Darken):
    def apply(self, crops, landmarks):
        raise RuntimeError("lens bug")


class Slow(Darken):
    def apply(self, crops, landmarks):
        time.sleep(0.02)
        return super().apply(crops, landmarks)


def spec(lens_class, kind=FACE, **fields) -> LensSpec:
    return LensSpec(name=lens_class.__name__.lower(), kind=kind, create=lens_class, plugin="tests", **fields)


def test_a_lens_that_keeps_the_contract_passes_and_is_reported():
    lens = Darken()
    report = check_lens(spec(Darken, crop_size=128), lens, runs=5)
    assert lens.warmed and not lens.closed  # a lens passed in is the caller's to close
    assert report.input_shape == (2, 128, 128, 3) and report.runs == 5 and 0 < report.median_ms < report.budget_ms
    assert REPORTS[-1] is report and str(report).startswith("darken (tests): face lens, median ")
    assert {crops.shape[0] for crops in lens.seen} == {1, 2}  # a batch of one face and a batch of all


def test_the_lens_gets_real_crops_in_its_declared_colour_order(face_batch):
    bgr, rgb = Darken(), Darken()
    check_lens(spec(Darken, crop_size=96), bgr, runs=1)
    check_lens(spec(Darken, crop_size=96, color_order="RGB"), rgb, runs=1)
    crops, _ = face_batch(96)
    np.testing.assert_array_equal(bgr.seen[1], crops)
    np.testing.assert_array_equal(rgb.seen[1], crops[..., ::-1])


def test_a_frame_lens_gets_whole_photos_and_a_lens_made_here_is_closed(monkeypatch):
    closed = []
    monkeypatch.setattr(Invert, "close", lambda self: closed.append(self), raising=False)
    report = check_lens(spec(Invert, kind=FRAME), runs=2)
    assert report.kind == FRAME and report.input_shape == (600, 512, 3) and len(closed) == 1


@pytest.mark.parametrize(
    ("lens_class", "message"),
    [
        (InPlace, "apply wrote into its input"),
        (ReturnsInput, "apply returned its input or a view of it"),
        (ReusesBuffer, "a later apply changed an earlier result"),
        (Float, "apply returned float32 (1, 64, 64, 3), expected uint8 (1, 64, 64, 3)"),
        (OneFaceOnly, "apply returned uint8 (1, 64, 64, 3), expected uint8 (2, 64, 64, 3)"),
        (SwapsColours, "returned red and blue swapped: BGR in"),
        (Raises, "raised RuntimeError: lens bug"),
    ],
)
def test_each_broken_rule_is_one_line_naming_the_lens(lens_class, message):
    with pytest.raises(LensConformanceError) as caught:
        check_lens(spec(lens_class, crop_size=64), runs=1)
    text = str(caught.value)
    assert text.startswith(f"lens {lens_class.__name__.lower()} (tests): ") and message in text and "\n" not in text


def test_over_the_speed_budget_fails_with_the_measured_median():
    with pytest.raises(LensConformanceError, match=r"median \d+\.\d ms per call .* over the 5 ms budget"):
        check_lens(spec(Slow, crop_size=64), runs=3, budget_ms=5.0)
    assert REPORTS[-1].median_ms >= 20.0  # the slow run is reported too


def test_an_object_without_apply_is_refused():
    with pytest.raises(LensConformanceError, match="has no apply[(][)]; see lensengine.lens.FrameLens"):
        check_lens(LensSpec(name="nothing", kind=FRAME, create=object))


def test_the_pytest_plugin_is_cheap_to_import():
    code = (
        "import sys, lensengine.testing.pytest_plugin, lensengine.testing; "
        "print(sorted(m for m in ('cv2', 'mediapipe', 'numpy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_pytest_plugin_is_registered_under_pytest11():
    from importlib.metadata import entry_points

    (entry,) = [ep for ep in entry_points(group="pytest11") if ep.name == "lensengine"]
    assert entry.value == "lensengine.testing.pytest_plugin"
