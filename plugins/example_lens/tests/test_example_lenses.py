"""How to test a lens without a camera: call ``apply`` on real crops and frames and check what it does.

``face_batch`` (and ``face_crop``, ``photo_faces``) are fixtures of lensengine's pytest plugin
(``lensengine.testing``): real faces of the offline photos, found by the engine's tracker and cut by its aligner.
``check_lens`` checks the contract every lens must keep (shapes, dtypes, colour order, inputs left alone, speed).
"""

from __future__ import annotations

from importlib.metadata import entry_points

import numpy as np
import pytest
from lensengine_example_lens import plugin
from lensengine_example_lens.plugin import BLOCKS, Pixelate, Sepia

from lensengine.lens import FACE, FRAME
from lensengine.lenses.plugins import load_plugins
from lensengine.sources.face_photos import face_photo
from lensengine.testing import check_lens

SPECS = {spec.name: spec for spec in plugin.lensengine_lenses()}
CROP_SIZE = SPECS["example_pixelate"].crop_size


@pytest.fixture
def face_crops(face_batch):
    return face_batch(CROP_SIZE)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_lens_keeps_the_lens_contract(name):
    report = check_lens(SPECS[name], budget_ms=33.0)  # well inside one 30 fps frame
    assert report.median_ms < 33.0 and report.lens == name


def test_pixelate_makes_flat_blocks_of_the_average_colour(face_crops):
    crops, landmarks = face_crops
    out = Pixelate().apply(crops, landmarks)
    assert out.shape == crops.shape and out.dtype == np.uint8
    n, size = crops.shape[:2]
    block = size // BLOCKS
    tiles = out.reshape(n, BLOCKS, block, BLOCKS, block, 3)
    assert (tiles == tiles[:, :, :1, :, :1]).all()  # every block is one colour
    means = crops.reshape(n, BLOCKS, block, BLOCKS, block, 3).mean(axis=(2, 4))
    assert np.abs(tiles[:, :, 0, :, 0].astype(float) - means).max() <= 1.0
    assert not np.array_equal(out, crops)


def test_pixelate_treats_each_face_of_the_batch_alone(face_crops):
    crops, landmarks = face_crops
    batch = Pixelate().apply(crops, landmarks)
    for i in range(len(crops)):
        np.testing.assert_array_equal(batch[i], Pixelate().apply(crops[i : i + 1], landmarks[i : i + 1])[0])
    assert Pixelate().apply(crops[:0], landmarks[:0]).shape == (0, *crops.shape[1:])


def test_sepia_tones_a_whole_frame():
    frame = face_photo("grace_hopper")
    out = Sepia().apply(frame)
    assert out.shape == frame.shape and out.dtype == np.uint8
    blue, green, red = (out[..., c].astype(int) for c in range(3))
    assert (red >= green).all() and (green >= blue).all()  # warm brown tones everywhere
    grey = np.full((1, 1, 3), 100, np.uint8)
    np.testing.assert_allclose(Sepia().apply(grey)[0, 0], [94, 120, 135], atol=1)
    assert (Sepia().apply(np.full((2, 2, 3), 255, np.uint8)) == [239, 255, 255]).all()  # saturates, no wrap


def test_the_engine_finds_both_lenses_through_the_entry_point(monkeypatch, face_crops):
    (entry,) = [ep for ep in entry_points(group="lensengine") if ep.name == "example_lens"]
    assert entry.value == "lensengine_example_lens.plugin"
    monkeypatch.setenv("LENSENGINE_PLUGINS", "example_lens")  # load only this plugin, as the engine would
    registry = load_plugins()
    assert registry.failed == []
    assert {name: spec.kind for name, spec in registry.lenses.items()} == {
        "example_pixelate": FACE,
        "example_sepia": FRAME,
    }
    crops, landmarks = face_crops
    pixelate = registry.lens("example_pixelate")
    assert pixelate.crop_size == crops.shape[1]
    assert pixelate.create().apply(crops, landmarks).shape == crops.shape


@pytest.mark.parametrize("lens", [Pixelate(), Sepia()])
def test_lenses_are_deterministic(lens, face_crops):
    crops, landmarks = face_crops
    args = (crops, landmarks) if isinstance(lens, Pixelate) else (crops[0],)
    np.testing.assert_array_equal(lens.apply(*args), lens.apply(*args))
