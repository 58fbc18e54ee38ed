"""Optimisation-based style transfer and the ``lensengine stylize`` command, on tiny synthetic images."""

from __future__ import annotations

import argparse

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine_trainers.style import stylize_cli as stylize_command
from lensengine_trainers.style.gatys import stylize

from .conftest import smooth_photo, swirl_painting


def test_a_few_steps_lower_the_style_loss():
    content = smooth_photo(1, 60, 40)
    result = stylize(content, swirl_painting(), steps=12, size=48, progress=False)
    assert result.image.dtype == np.uint8 and result.image.shape == (48, 32, 3)
    assert result.end_losses["style"] < 0.7 * result.start_losses["style"]
    assert result.start_losses["content"] == pytest.approx(0.0, abs=1e-6)
    assert result.vgg.weights == "random"
    assert np.abs(result.image.astype(int) - cv2.resize(content, (32, 48), interpolation=cv2.INTER_AREA)).mean() > 1


def test_same_inputs_same_picture():
    first = stylize(smooth_photo(2), swirl_painting(), steps=3, size=32, progress=False)
    again = stylize(smooth_photo(2), swirl_painting(), steps=3, size=32, progress=False)
    assert np.array_equal(first.image, again.image)


def test_bad_settings():
    with pytest.raises(LensEngineError, match="--steps"):
        stylize(smooth_photo(0), swirl_painting(), steps=0, progress=False)


def run_command(argv):
    parser = argparse.ArgumentParser()
    stylize_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


def test_stylize_command_writes_the_picture(tmp_path, style_file, capsys):
    content = tmp_path / "me.png"
    cv2.imwrite(str(content), smooth_photo(3, 40, 56))
    assert (
        run_command(
            ["stylize", str(content), "--style", str(style_file), "--steps", "4", "--size", "56", "--no-progress"]
        )
        == 0
    )
    written = cv2.imread(str(tmp_path / "me_stylized.png"))
    assert written.shape == (40, 56, 3)
    printed = capsys.readouterr().out
    assert "losses: style" in printed and "random weights" in printed


def test_stylize_command_errors(tmp_path, style_file):
    with pytest.raises(LensEngineError, match="does not exist"):
        run_command(["stylize", str(tmp_path / "missing.png"), "--style", str(style_file)])
    content = tmp_path / "me.png"
    cv2.imwrite(str(content), smooth_photo(3))
    with pytest.raises(LensEngineError, match="image suffix"):
        run_command(["stylize", str(content), "--style", str(style_file), "--out", str(tmp_path / "out.txt")])
