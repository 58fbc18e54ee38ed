"""The landmarks plugin as the engine finds it: the installed entry point, loaded by the engine's loader."""

from __future__ import annotations

from importlib.metadata import entry_points

from lensengine.lens import FACE
from lensengine.lenses.plugins import load_plugins
from lensengine.testing import check_lens


def test_engine_loads_the_landmarks_lens(monkeypatch, face_crop):
    (entry,) = [ep for ep in entry_points(group="lensengine") if ep.name == "landmarks"]
    assert entry.value == "lensengine_landmarks.plugin"
    monkeypatch.setenv("LENSENGINE_PLUGINS", "landmarks")
    registry = load_plugins()
    assert registry.loaded == ["landmarks"] and registry.failed == [] and list(registry.lenses) == ["landmarks"]
    spec = registry.lens("landmarks")
    assert (spec.kind, spec.crop_size, spec.color_order, spec.plugin) == (FACE, 256, "BGR", "landmarks")
    crop, landmarks = face_crop("grace_hopper", spec.crop_size)
    out = spec.create().apply(crop[None], landmarks[None])
    assert out.shape == (1, 256, 256, 3) and (out[0] != crop).any()


def test_landmarks_lens_keeps_the_lens_contract_in_real_time(monkeypatch):
    monkeypatch.setenv("LENSENGINE_PLUGINS", "landmarks")
    report = check_lens(load_plugins().lens("landmarks"), budget_ms=33.0)  # one 30 fps frame, at most
    assert report.plugin == "landmarks" and report.input_shape == (2, 256, 256, 3)
