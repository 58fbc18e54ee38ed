"""Scores against a teacher, and the three commands end to end on a real face."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.packs import load_pack
from lensengine_trainers.cyclegan.cli import add_cyclegan_parser
from lensengine_trainers.cyclegan.quality import image_scores, psnr_db


def test_scores_by_hand():
    image = np.full((1, 16, 16, 3), 100, np.uint8)
    assert image_scores(image, image) == {"images": 1, "psnr_db": 99.0, "ssim": pytest.approx(1.0), "mae_8bit": 0.0}
    off = image + 5  # every value off by 5: MSE 25
    assert psnr_db(off[0], image[0]) == pytest.approx(10 * math.log10(255**2 / 25))
    assert image_scores(off, image)["mae_8bit"] == 5.0
    with pytest.raises(LensEngineError, match="differ in shape"):
        image_scores(image, image[:, :8])


def run_cli(argv):
    parser = argparse.ArgumentParser()
    add_cyclegan_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


def test_commands_from_faces_to_packs(tmp_path, astronaut_faces, capsys):
    data, run = tmp_path / "data", tmp_path / "run"
    assert (
        run_cli(
            [
                "cyclegan-data",
                "--faces",
                str(astronaut_faces),
                "--teacher",
                "thug_glasses_classic",
                "--out",
                str(data),
                "--variants",
                "4",
                "--size",
                "32",
                "--no-progress",
            ]
        )
        == 0
    )
    assert (
        run_cli(
            [
                "cyclegan",
                "--data",
                str(data),
                "--out",
                str(run),
                "--size",
                "32",
                "--ngf",
                "4",
                "--n-blocks",
                "1",
                "--ndf",
                "8",
                "--steps",
                "2",
                "--device",
                "cpu",
                "--no-progress",
            ]
        )
        == 0
    )
    with pytest.raises(LensEngineError, match="resume with --steps 2"):
        run_cli(["cyclegan", "--resume", str(run), "--steps", "3"])
    report = tmp_path / "scores.json"
    assert (
        run_cli(
            [
                "cyclegan-export",
                "--checkpoint",
                str(run),
                "--out-ab",
                str(tmp_path / "add"),
                "--name-ab",
                "add",
                "--out-ba",
                str(tmp_path / "remove"),
                "--name-ba",
                "remove",
                "--eval-faces",
                str(astronaut_faces),
                "--eval-teacher",
                "thug_glasses_classic",
                "--report",
                str(report),
                "--speed-runs",
                "2",
                "--no-fp16",
            ]
        )
        == 0
    )
    scores = json.loads(report.read_text())
    assert scores["AtoB"]["quality"]["model"]["images"] == 1 and 0 < scores["BtoA"]["quality"]["unchanged"]["ssim"] < 1
    assert (
        scores["BtoA"]["speed"]["runs"] == 2
        and 0 < scores["BtoA"]["speed"]["min_ms"] <= scores["BtoA"]["speed"]["median_ms"]
    )
    quality = load_pack(tmp_path / "add").provenance["quality"]
    assert quality["teacher"] == "thug_glasses_classic" and quality["model"]["psnr_db"] > 0
    assert "PSNR" in capsys.readouterr().out
    assert (
        run_cli(
            [
                "cyclegan-export",
                "--checkpoint",
                str(run),
                "--out-ab",
                str(tmp_path / "again"),
                "--name-ab",
                "again",
                "--eval-faces",
                str(astronaut_faces),
                "--eval-teacher",
                "thug_glasses_classic",
                "--compare-ab",
                str(tmp_path / "add"),
                "--no-fp16",
            ]
        )
        == 0
    )
    quality = load_pack(tmp_path / "again").provenance["quality"]
    assert quality["compare"]["psnr_db"] == pytest.approx(quality["model"]["psnr_db"], abs=0.5)  # the same net


def test_command_errors(tmp_path):
    with pytest.raises(LensEngineError, match="needs --data"):
        run_cli(["cyclegan", "--out", str(tmp_path / "run")])
    with pytest.raises(LensEngineError, match="--out-ab with --name-ab"):
        run_cli(["cyclegan-export", "--checkpoint", str(tmp_path), "--out-ab", str(tmp_path / "x")])
    with pytest.raises(LensEngineError, match="--compare-ab scores on held-out faces"):
        run_cli(
            ["cyclegan-export", "--checkpoint", str(tmp_path), "--out-ab", "x", "--name-ab", "x", "--compare-ab", "p"]
        )
