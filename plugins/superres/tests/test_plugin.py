"""The superres plugin: registered like any plugin, ships a small real-time x2 pack that beats bicubic."""

from __future__ import annotations

from importlib.metadata import entry_points

import cv2
import numpy as np
import pytest
from lensengine_superres import plugin
from lensengine_superres.plugin import PACKS_DIR

from lensengine.compose.superres import SuperResStage
from lensengine.lenses.plugins import load_plugins
from lensengine.packs import load_pack, packs_in
from lensengine.sources.face_photos import face_photo


def test_entry_point():
    (point,) = [ep for ep in entry_points(group="lensengine") if ep.name == "superres"]
    assert point.value == "lensengine_superres.plugin" and point.load() is plugin


def test_hook_offers_the_packs_folder():
    registry = load_plugins()
    assert "superres" in registry.loaded
    shipped = [path for name, path in registry.packs if name == "superres"]
    assert shipped == packs_in(PACKS_DIR) and shipped


@pytest.mark.parametrize("path", packs_in(PACKS_DIR), ids=lambda path: path.name)
def test_shipped_pack(path):
    pack = load_pack(path)
    assert (pack.family, pack.kind, pack.scale, pack.normalisation) == ("superres", "face", 2, "unit")
    assert sum(entry.path.stat().st_size for entry in pack.files.values()) < 1_000_000
    quality = pack.provenance["quality"]
    assert quality["psnr_gain_db"] >= 0.5 and quality["ssim"] > quality["bicubic_ssim"]
    assert all("grace_hopper" not in folder for folder in pack.provenance["data"]["images"])


def test_packs_in_ignores_other_entries(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "lens.toml").write_text("")
    (tmp_path / "more.zip").write_bytes(b"")
    (tmp_path / "readme.txt").write_text("")
    assert packs_in(tmp_path) == [tmp_path / "more.zip", tmp_path / "pack"]
    assert packs_in(tmp_path / "missing") == []


def test_beats_bicubic_on_a_held_out_face():
    """Grace Hopper (never trained on), her face shrunk to 128 px: the pack comes closer to it than bicubic."""
    face = cv2.resize(face_photo("grace_hopper")[90:410, 100:420], (256, 256), interpolation=cv2.INTER_AREA)
    small = cv2.resize(face, (128, 128), interpolation=cv2.INTER_AREA)
    with SuperResStage(load_pack(packs_in(PACKS_DIR)[0]), backend="onnxruntime") as stage:
        enlarged = stage.upscale(small[None])[0]
    bicubic = cv2.resize(small, (256, 256), interpolation=cv2.INTER_CUBIC)

    def mse(image):
        return np.mean((image[2:-2, 2:-2].astype(float) - face[2:-2, 2:-2]) ** 2)

    assert 10 * np.log10(mse(bicubic) / mse(enlarged)) > 0.3  # dB better than bicubic
