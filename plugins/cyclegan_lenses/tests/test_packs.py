"""The shipped CycleGAN packs as the engine finds them, run on a held-out face (Grace Hopper's photo)."""

from __future__ import annotations

from importlib.metadata import entry_points

import numpy as np
import pytest
from lensengine_cyclegan_lenses.plugin import PACKS_DIR
from lensengine_thug_glasses.classic import ThugGlassesClassic

from lensengine.lenses.catalogue import lens_catalogue
from lensengine.lenses.neural import NeuralLens
from lensengine.lenses.plugins import load_plugins
from lensengine.packs import load_pack, packs_in
from lensengine.testing import check_lens

LENSES = {"thug_glasses_cyclegan": "AtoB", "glasses_removal_cyclegan": "BtoA"}
EYE_CORNERS = [33, 133, 263, 362]


def test_entry_point_is_installed():
    (entry,) = [ep for ep in entry_points(group="lensengine") if ep.name == "cyclegan_lenses"]
    assert entry.value == "lensengine_cyclegan_lenses.plugin"


def test_engine_offers_both_directions(monkeypatch):
    monkeypatch.setenv("LENSENGINE_PLUGINS", "cyclegan_lenses")
    registry = load_plugins()
    assert registry.failed == [] and [path.name for _, path in registry.packs] == sorted(LENSES)
    specs = {spec.name: spec for spec in lens_catalogue(registry, backend="onnxruntime")}
    for name in LENSES:
        assert (specs[name].kind, specs[name].crop_size, specs[name].plugin) == ("face", 128, "cyclegan_lenses")


@pytest.mark.parametrize("name", sorted(LENSES))
def test_pack_keeps_the_lens_contract(monkeypatch, name):
    monkeypatch.setenv("LENSENGINE_PLUGINS", "cyclegan_lenses")
    (spec,) = [s for s in lens_catalogue(load_plugins(), backend="onnxruntime") if s.name == name]
    report = check_lens(spec, runs=5)  # ONNX Runtime on a CPU: within the engine's timeout
    assert report.input_shape == (2, 128, 128, 3) and report.plugin == "cyclegan_lenses"


@pytest.mark.parametrize("name", sorted(LENSES))
def test_provenance_says_how_it_was_made(name):
    pack = load_pack(PACKS_DIR / name)
    provenance = pack.provenance
    assert pack.family == "cyclegan" and provenance["direction"] == LENSES[name]
    assert provenance["trainer"]["model"] == "cyclegan" and provenance["training"]["steps"] > 0
    assert provenance["quality"]["teacher"] == "thug_glasses_classic"
    assert provenance["identity_loss"]["features"] == "pixels"
    assert sum(path.stat().st_size for path in (PACKS_DIR / name).iterdir()) < 5_000_000


def eye_band(crop: np.ndarray, landmarks: np.ndarray) -> float:
    """Mean brightness of the band around the eyes, where the sunglasses sit."""
    corners = landmarks[EYE_CORNERS]
    (x0, y0), (x1, y1) = corners.min(0).astype(int), corners.max(0).astype(int)
    return float(crop[y0 - 5 : y1 + 6, x0 - 2 : x1 + 3].mean())


def test_glasses_go_on_and_come_off_a_face_never_trained_on(face_crop):
    crop, landmarks = face_crop("grace_hopper", 128)
    with_glasses = ThugGlassesClassic().apply(crop[None], landmarks[None])[0]
    put_on = NeuralLens(PACKS_DIR / "thug_glasses_cyclegan", backend="onnxruntime")
    take_off = NeuralLens(PACKS_DIR / "glasses_removal_cyclegan", backend="onnxruntime")
    try:
        darker = eye_band(crop, landmarks) - eye_band(put_on.apply(crop[None], landmarks[None])[0], landmarks)
        lighter = eye_band(take_off.apply(with_glasses[None], landmarks[None])[0], landmarks) - eye_band(
            with_glasses, landmarks
        )
    finally:
        put_on.close()
        take_off.close()
    assert darker > 40 and lighter > 40


def test_packs_folder_holds_the_shipped_packs():
    assert packs_in(PACKS_DIR) == [PACKS_DIR / name for name in sorted(LENSES)]
