"""``lensengine-train superres``: train, resume and export through the command line, and its one-line errors."""

from __future__ import annotations

import argparse

import pytest

from lensengine.errors import LensEngineError
from lensengine.packs import load_pack
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.superres.cli import add_superres_parser

TINY_RUN = [
    "--lr-patch",
    "16",
    "--batch-size",
    "2",
    "--eval-every",
    "2",
    "--device",
    "cpu",
    "--no-progress",
    "--log-every",
    "1",
    "--image-every",
    "2",
]


def superres(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_superres_parser(parser.add_subparsers(required=True))
    args = parser.parse_args(["superres", *argv])
    return args.handler(args)


def test_train_resume_export(tmp_path, train_folder, heldout_folder, capsys):
    run = tmp_path / "run"
    assert (
        superres(
            "train",
            "--images",
            str(train_folder),
            "--heldout",
            str(heldout_folder),
            "--out",
            str(run),
            "--steps",
            "2",
            "--net",
            "width=8",
            *TINY_RUN,
        )
        == 0
    )
    assert "held-out PSNR" in capsys.readouterr().out
    assert superres("train", "--resume", str(run), "--steps", "4", "--eval-every", "2", "--no-progress") == 0
    checkpoint = read_checkpoint(run)
    assert checkpoint.step == 4 and checkpoint.model_config["net"] == {"width": 8}
    assert checkpoint.meta["data"]["heldout_kernel"] == "area" and checkpoint.meta["data"]["lr_patch"] == 16

    assert (
        superres(
            "export",
            "--checkpoint",
            str(run),
            "--out",
            str(tmp_path / "pack"),
            "--name",
            "tiny-x2",
            "--crop-size",
            "64",
        )
        == 0
    )
    pack = load_pack(tmp_path / "pack")
    assert (pack.family, pack.scale, pack.crop_size, pack.config["width"]) == ("superres", 2, 64, 8)
    quality = pack.provenance["quality"]
    assert quality["images"] == 2 and quality["shrink"] == "area"
    assert quality["psnr_gain_db"] == pytest.approx(quality["psnr_db"] - quality["bicubic_psnr_db"], abs=2e-3)
    assert pack.provenance["training"]["steps"] == 4
    images = pack.provenance["data"]["images"]
    assert images == [".../" + "/".join(train_folder.resolve().parts[-2:])]  # portable provenance
    assert "tiny-x2" in capsys.readouterr().out


def test_errors(tmp_path, train_folder, heldout_folder):
    with pytest.raises(LensEngineError, match="needs --out"):
        superres("train", "--images", str(train_folder), "--heldout", str(heldout_folder))
    with pytest.raises(LensEngineError, match="--heldout"):
        superres("train", "--images", str(train_folder), "--out", str(tmp_path / "x"))
    with pytest.raises(LensEngineError, match="no knob"):
        superres(
            "train",
            "--images",
            str(train_folder),
            "--heldout",
            str(heldout_folder),
            "--out",
            str(tmp_path / "x"),
            "--net",
            "depth=2",
        )
    with pytest.raises(SystemExit):
        superres("train", "--net", "width=wide")


def test_resume_refuses_new_settings(tmp_path, train_folder, heldout_folder):
    run = tmp_path / "run"
    superres(
        "train",
        "--images",
        str(train_folder),
        "--heldout",
        str(heldout_folder),
        "--out",
        str(run),
        "--steps",
        "2",
        "--net",
        "width=8",
        *TINY_RUN,
    )
    with pytest.raises(LensEngineError, match="--lr cannot change"):
        superres("train", "--resume", str(run), "--steps", "4", "--lr", "0.1")
