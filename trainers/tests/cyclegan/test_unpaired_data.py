"""Unpaired data: letterboxing, trainA/trainB samples, and the teacher's shuffled halves on a real face."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine_trainers.cyclegan.teacher_split import make_unpaired, split_halves
from lensengine_trainers.cyclegan.unpaired_folder import UnpairedSamples, letterbox
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.frame_sources import image_files
from lensengine_trainers.data.teacher import load_teacher

PLAIN = AugmentConfig(zoom=1.0, flip=False)


def test_letterbox_pads_instead_of_stretching():
    wide = np.full((20, 40, 3), 200, np.uint8)
    boxed = letterbox(wide, 64)
    assert boxed.shape == (64, 64, 3)
    rows = np.flatnonzero(boxed[:, 32, 0])
    assert (rows[0], rows[-1]) == (16, 47)  # 32 rows of picture: the 2:1 aspect is kept
    assert boxed[:16].max() == 0 and boxed[48:].max() == 0 and boxed[16:48].min() == 200


def test_samples_come_from_both_sets(unpaired_folder):
    samples = UnpairedSamples(unpaired_folder, 32, PLAIN)
    assert len(samples) == 6  # the larger set, A
    drawn = samples.sample(5, np.random.default_rng(1))
    assert drawn["A"].shape == drawn["B"].shape == (32, 32, 3)
    assert np.array_equal(drawn["A"], letterbox(cv2.imread(str(unpaired_folder / "trainA" / "wide.png")), 32))
    b_images = [samples.load("B", i) for i in range(4)]
    assert any(np.array_equal(drawn["B"], b) for b in b_images)
    assert samples.margin == 0.35


def test_samples_are_reproducible_and_augmented(unpaired_folder):
    samples = UnpairedSamples(unpaired_folder, 32, AugmentConfig(rotate=10.0))
    first = samples.sample(0, np.random.default_rng(3))
    again = samples.sample(0, np.random.default_rng(3))
    assert all(np.array_equal(first[k], again[k]) for k in "AB")
    other = samples.sample(0, np.random.default_rng(4))
    assert not np.array_equal(first["A"], other["A"])


def test_a_missing_set_is_a_clear_error(unpaired_folder):
    for path in (unpaired_folder / "trainB").iterdir():
        path.unlink()
    with pytest.raises(LensEngineError, match="trainB holds no images"):
        UnpairedSamples(unpaired_folder, 32, PLAIN)


def test_split_halves_are_disjoint_and_complete():
    a, b = split_halves(11, seed=2)
    assert len(a) == 5 and len(b) == 6
    assert sorted(np.concatenate([a, b]).tolist()) == list(range(11))
    assert not np.array_equal(a, np.arange(5))  # shuffled, not the first half


def test_teacher_data_is_unpaired(tmp_path, astronaut_faces):
    with load_teacher("thug_glasses_classic") as teacher:
        counts = make_unpaired(
            FaceFolder(astronaut_faces),
            teacher,
            tmp_path / "data",
            8,
            64,
            AugmentConfig(rotate=5.0),
            seed=1,
            progress=False,
        )
    assert counts == {"A": 4, "B": 4}
    files_a, files_b = image_files(tmp_path / "data" / "trainA"), image_files(tmp_path / "data" / "trainB")
    draws_a = {path.stem.rsplit("_", 1)[1] for path in files_a}
    draws_b = {path.stem.rsplit("_", 1)[1] for path in files_b}
    assert len(draws_a) == 4 and not draws_a & draws_b  # no draw gives both its face and its glasses
    dark = [np.mean(cv2.imread(str(p)) < 20) for p in files_a], [np.mean(cv2.imread(str(p)) < 20) for p in files_b]
    assert min(dark[1]) > max(dark[0])  # the black glasses are only in set B
    manifest = json.loads((tmp_path / "data" / "unpaired.json").read_text())
    assert (manifest["teacher"], manifest["margin"], manifest["variants"]) == ("thug_glasses_classic", 0.35, 8)
    with pytest.raises(LensEngineError, match="not empty"):
        with load_teacher("thug_glasses_classic") as teacher:
            make_unpaired(FaceFolder(astronaut_faces), teacher, tmp_path / "data", 8, 64, PLAIN, progress=False)
