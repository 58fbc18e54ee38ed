"""A missing, empty or mismatched dataset stops training with one line that says what to do."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine_trainers.cli import main
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.pair_folder import PairFolder
from lensengine_trainers.data.training_data import DataSpec, open_samples


@pytest.fixture
def faces_copy(tmp_path, face_folder):
    folder = tmp_path / "faces"
    shutil.copytree(face_folder, folder)
    return folder


def test_missing_and_empty_face_folders(tmp_path):
    with pytest.raises(LensEngineError, match="does not exist: make it with `lensengine-train extract-faces"):
        FaceFolder(tmp_path / "nowhere")
    with pytest.raises(LensEngineError, match="is not a face folder \\(no faces.json\\)"):
        FaceFolder(tmp_path)
    (tmp_path / "faces.json").write_text(json.dumps({"format": "lensengine-face-crops/1", "size": 64, "margin": 0.35}))
    with pytest.raises(LensEngineError, match="holds no crops"):
        FaceFolder(tmp_path)
    (tmp_path / "faces.json").write_text("{}")
    with pytest.raises(LensEngineError, match="is not a lensengine-face-crops/1 manifest"):
        FaceFolder(tmp_path)


def test_mismatched_face_folders(faces_copy):
    names = FaceFolder(faces_copy).names
    (faces_copy / f"{names[0]}.npy").unlink()
    with pytest.raises(LensEngineError, match=f"1 crops lack their landmarks or the reverse \\(first: {names[0]}\\)"):
        FaceFolder(faces_copy)
    np.save(faces_copy / f"{names[0]}.npy", np.zeros((468, 2), np.float32))
    with pytest.raises(LensEngineError, match="shaped \\(468, 2\\), expected \\(478, 2\\)"):
        FaceFolder(faces_copy).load(0)
    cv2.imwrite(str(faces_copy / f"{names[1]}.png"), np.zeros((50, 50, 3), np.uint8))
    with pytest.raises(LensEngineError, match="is 50x50, but faces.json says 64x64"):
        FaceFolder(faces_copy).load(1)


def test_missing_empty_and_mismatched_pair_folders(tmp_path):
    with pytest.raises(LensEngineError, match="does not exist: make it with `lensengine-train make-pairs"):
        PairFolder(tmp_path / "nowhere")
    with pytest.raises(LensEngineError, match="is not a pair folder"):
        PairFolder(tmp_path)
    (tmp_path / "pairs.json").write_text(json.dumps({"format": "lensengine-pairs/1", "size": 64, "margin": 0.35}))
    with pytest.raises(LensEngineError, match="holds no A\\|B images"):
        PairFolder(tmp_path)
    cv2.imwrite(str(tmp_path / "one.png"), np.zeros((64, 64, 3), np.uint8))
    with pytest.raises(LensEngineError, match="is 64x64, but an A\\|B pair of size 64 is 128x64"):
        PairFolder(tmp_path).load(0)


def test_data_options_that_do_not_go_together(tmp_path, face_folder):
    with pytest.raises(LensEngineError, match="either --pairs or --faces"):
        open_samples(DataSpec(pairs=str(tmp_path), faces=str(face_folder)), 32)
    with pytest.raises(LensEngineError, match="no training data"):
        open_samples(DataSpec(), 32)
    with pytest.raises(LensEngineError, match="--on-the-fly-teacher needs --faces"):
        open_samples(DataSpec(pairs=str(tmp_path), teacher="thug_glasses_classic"), 32)


def test_pix2pix_on_faces_without_a_teacher_has_no_targets(tmp_path, face_folder, capsys):
    status = main(
        [
            "pix2pix",
            "--faces",
            str(face_folder),
            "--out",
            str(tmp_path),
            "--size",
            "32",
            "--num-downs",
            "5",
            "--ngf",
            "4",
            "--steps",
            "1",
            "--no-progress",
            "--device",
            "cpu",
        ]
    )
    assert status == 2
    assert "pix2pix needs pairs: give --pairs, or --faces with --on-the-fly-teacher" in capsys.readouterr().err


def test_command_line_errors_are_one_line(tmp_path, capsys):
    assert main(["pix2pix", "--pairs", str(tmp_path / "nowhere"), "--out", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("lensengine-train: error: pair folder") and error.count("\n") == 1
    assert main(["pix2pix", "--pairs", str(tmp_path), "--out", str(tmp_path), "--device", "cuda:99"]) == 2
    assert "use --device auto or cpu" in capsys.readouterr().err
    assert main(["export", "--checkpoint", str(tmp_path), "--out", str(tmp_path / "pack"), "--name", "x"]) == 2
    assert "neither a checkpoint folder nor a run folder" in capsys.readouterr().err
    with pytest.raises(LensEngineError, match="neither a checkpoint folder"):
        read_checkpoint(tmp_path)
    with pytest.raises(LensEngineError, match="rotate 400"):
        AugmentConfig(rotate=400)
