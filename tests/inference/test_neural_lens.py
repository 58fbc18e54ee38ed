"""NeuralLens (batching, resizing, super-resolution, frame lenses), pack_lens_spec and find_user_packs."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.inference.frame_size import frame_work_size
from lensengine.lens import LensSpec
from lensengine.lenses.neural import NeuralLens, find_user_packs, pack_lens_spec, provenance_summary
from lensengine.packs import zip_pack


@pytest.fixture(scope="module")
def face_crops(astronaut_bgr: np.ndarray) -> np.ndarray:
    """Six real 64x64 crops cut from the astronaut photo."""
    return np.stack(
        [
            cv2.resize(astronaut_bgr[y : y + 200, x : x + 200], (64, 64))
            for y, x in [(60, 150), (0, 0), (300, 300), (100, 100), (250, 50), (20, 280)]
        ]
    )


def test_all_faces_in_batches_of_max_batch(packs, face_crops: np.ndarray) -> None:
    lens = NeuralLens(packs["tiny-unet"], backend="onnxruntime", max_batch=4)
    out = lens.apply(face_crops, np.zeros((6, 478, 2), np.float32))
    assert out.shape == face_crops.shape and out.dtype == np.uint8
    one_by_one = np.concatenate([lens.backend.run(crop[None]) for crop in face_crops])
    np.testing.assert_array_equal(out, one_by_one)
    lens.close()


def test_crops_of_another_size_are_resized_in_and_out(packs, face_crops: np.ndarray) -> None:
    lens = NeuralLens(packs["tiny-unet"], backend="onnxruntime")
    big = np.stack([cv2.resize(crop, (128, 128), interpolation=cv2.INTER_LINEAR) for crop in face_crops[:2]])
    out = lens.apply(big)
    assert out.shape == (2, 128, 128, 3)
    at_pack_size = lens.run(face_crops[:2])
    shrunk = np.stack([cv2.resize(crop, (64, 64), interpolation=cv2.INTER_AREA) for crop in out])
    assert np.abs(shrunk.astype(int) - at_pack_size).mean() < 6  # same picture, up to resampling
    lens.close()


def test_superres_pack_runs_through_run_only(packs, face_crops: np.ndarray) -> None:
    lens = NeuralLens(packs["tiny-espcn"], backend="onnxruntime")
    out = lens.run(face_crops[:3])  # 64 px crops go in at the pack's 32 px
    assert out.shape == (3, 64, 64, 3)
    with pytest.raises(LensEngineError, match="x2 super-resolution pack: call run"):
        lens.apply(face_crops[:3])
    lens.close()


def test_frame_lens_keeps_the_frame_size(packs, hopper_bgr: np.ndarray) -> None:
    lens = NeuralLens(packs["tiny-johnson"], backend="onnxruntime")
    frame = cv2.resize(hopper_bgr, (200, 120))
    out = lens.apply(frame)
    assert out.shape == frame.shape and out.dtype == np.uint8
    work_h, work_w = frame_work_size(120, 200, 64, 4)
    work = cv2.resize(frame, (work_w, work_h), interpolation=cv2.INTER_AREA)
    padded = cv2.copyMakeBorder(work, 8, 8, 8, 8, cv2.BORDER_REFLECT_101)  # reflection beyond every edge
    expected = lens.backend.run(padded[None])[0][8:-8, 8:-8]
    np.testing.assert_array_equal(out, cv2.resize(expected, (200, 120), interpolation=cv2.INTER_LINEAR))
    with pytest.raises(LensEngineError, match=r"takes an \(H, W, 3\) uint8 frame"):
        lens.apply(frame[None])
    lens.close()


def test_lens_loads_a_pack_from_its_zip(pack_folders, tmp_path: Path, face_crops: np.ndarray) -> None:
    zipped = zip_pack(pack_folders["tiny-unet"], tmp_path / "tiny-unet.zip")
    from_zip = NeuralLens(zipped, backend="onnxruntime")
    from_folder = NeuralLens(pack_folders["tiny-unet"], backend="onnxruntime")
    np.testing.assert_array_equal(from_zip.apply(face_crops[:2]), from_folder.apply(face_crops[:2]))


def test_pack_lens_spec_describes_the_pack(pack_folders) -> None:
    spec = pack_lens_spec(pack_folders["tiny-resnet"])
    assert isinstance(spec, LensSpec)
    fields = (spec.name, spec.kind, spec.crop_size, spec.color_order, spec.margin)
    assert fields == ("tiny-resnet", "face", 64, "RGB", 0.35)
    assert spec.description == "test pack tiny-resnet [cyclegan; trainer tests, steps 0]"
    assert spec.pack.root == spec.create.pack_path == pack_folders["tiny-resnet"]
    lens = spec.create()
    assert isinstance(lens, NeuralLens) and lens.pack.name == "tiny-resnet"
    lens.close()


def test_pack_lens_spec_loads_the_backend_only_in_create(packs) -> None:
    spec = pack_lens_spec(packs["tiny-unet"], backend="no-such-backend")
    assert spec.name == "tiny-unet"
    with pytest.raises(LensEngineError, match="unknown backend 'no-such-backend'"):
        spec.create()


def test_provenance_summary_skips_tables() -> None:
    summary = provenance_summary({"trainer": "pix2pix", "data": "edges2faces", "steps": 2000, "quality": {"fid": 30}})
    assert summary == "trainer pix2pix, data edges2faces, steps 2000"


def test_find_user_packs_lists_folders_and_zips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pack_folders) -> None:
    lenses = tmp_path / "lenses"
    lenses.mkdir()
    zip_pack(pack_folders["tiny-unet"], lenses / "b-toon.zip")
    (lenses / "a-sketch").mkdir()
    (lenses / "a-sketch" / "lens.toml").write_text("")
    (lenses / "notes").mkdir()
    (lenses / "readme.txt").write_text("")
    expected = [lenses / "a-sketch", lenses / "b-toon.zip"]
    assert find_user_packs(lenses) == expected
    monkeypatch.setenv("LENSENGINE_LENS_DIR", str(lenses))
    assert find_user_packs() == expected
    assert find_user_packs(tmp_path / "absent") == []
