"""The plugin as the engine finds it: the installed entry point, loaded by the engine's plugin loader."""

from __future__ import annotations

from importlib.metadata import entry_points

from lensengine_thug_glasses.plugin import PACKS_DIR

from lensengine.lens import FACE
from lensengine.lenses.plugins import load_plugins
from lensengine.packs import packs_in
from lensengine.testing import check_lens


def test_entry_point_is_installed():
    (entry,) = [ep for ep in entry_points(group="lensengine") if ep.name == "thug_glasses"]
    assert entry.value == "lensengine_thug_glasses.plugin"


def test_engine_loads_the_classic_lens(monkeypatch, face_crop):
    monkeypatch.setenv("LENSENGINE_PLUGINS", "thug_glasses")
    registry = load_plugins()
    assert registry.loaded == ["thug_glasses"] and registry.failed == []
    spec = registry.lens("thug_glasses_classic")
    assert (spec.kind, spec.crop_size, spec.color_order, spec.plugin) == (FACE, 256, "BGR", "thug_glasses")
    crop, landmarks = face_crop("astronaut", spec.crop_size)
    out = spec.create().apply(crop[None], landmarks[None])
    assert out.shape == (1, 256, 256, 4) and (out[0, ..., :3] != crop).any()  # colour + alpha
    assert registry.packs == [("thug_glasses", path) for path in packs_in(PACKS_DIR)]


def test_classic_lens_keeps_the_lens_contract_in_real_time(monkeypatch):
    monkeypatch.setenv("LENSENGINE_PLUGINS", "thug_glasses")
    report = check_lens(load_plugins().lens("thug_glasses_classic"), budget_ms=33.0)  # one 30 fps frame, at most
    assert report.plugin == "thug_glasses" and report.input_shape == (2, 256, 256, 3)
