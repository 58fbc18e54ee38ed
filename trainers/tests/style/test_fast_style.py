"""The fast style trainer on the shared loop: losses fall, the style image is pinned, packs round-trip."""

from __future__ import annotations

import argparse

import cv2
import numpy as np
import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine.lenses.neural import NeuralLens
from lensengine.util.files import file_sha256
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.loop import LoopConfig, train
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.tensors import images_to_tensor
from lensengine_trainers.style.cli import add_style_parser
from lensengine_trainers.style.content_folder import ContentSamples
from lensengine_trainers.style.export import checkpoint_style_net, export_style
from lensengine_trainers.style.fast_style import FastStyle, FastStyleConfig

from .conftest import smooth_photo

CPU = torch.device("cpu")


def tiny_config(style_file, **changes):
    settings = dict(
        style_image=str(style_file),
        style_sha256=file_sha256(style_file),
        style_origin="made by a test",
        style_size=48,
        size=32,
        width=4,
        n_res=1,
        style_weight=10.0,
    )
    return FastStyleConfig(**{**settings, **changes})


def test_a_few_steps_lower_the_loss(style_file, content_folder):
    shallow = {"content_layer": "relu2_1", "style_layers": ["relu1_1", "relu2_1"]}
    model = FastStyle(tiny_config(style_file, lr=1e-2, **shallow), torch.device("cpu"))
    samples = ContentSamples(content_folder, 32)
    precision = Precision(torch.device("cpu"), amp=False)
    batch_images = np.stack([samples.sample(i, np.random.default_rng(i))["A"] for i in range(4)])
    batch = {"A": images_to_tensor(torch.from_numpy(batch_images), torch.device("cpu"))}
    totals = [model.train_step(batch, precision)["total"] for _ in range(20)]
    assert np.mean(totals[-5:]) < 0.6 * np.mean(totals[:5])
    columns = model.sample_images(batch)
    assert [c.shape for c in columns] == [(4, 3, 32, 32)] * 2


def content_batch(content_folder, count: int = 4) -> dict[str, torch.Tensor]:
    samples = ContentSamples(content_folder, 32)
    images = np.stack([samples.sample(i % len(samples), np.random.default_rng(i))["A"] for i in range(count)])
    return {"A": images_to_tensor(torch.from_numpy(images), CPU)}


def noise_sensitivity(model: FastStyle, batch: dict[str, torch.Tensor]) -> float:
    """Mean squared change of the net's output when its input gets the stability loss's noise."""
    torch.manual_seed(1)
    noisy = batch["A"] + model.settings.stability_noise * torch.randn_like(batch["A"])
    with torch.no_grad():
        return float(((model.generator(noisy) - model.generator(batch["A"])) ** 2).mean())


def test_stability_loss_is_in_the_total_only_when_asked_for(style_file, content_folder):
    batch, precision = content_batch(content_folder), Precision(CPU, amp=False)
    assert "stability" not in FastStyle(tiny_config(style_file), CPU).train_step(batch, precision)
    model = FastStyle(tiny_config(style_file, stability_weight=5.0, stability_noise=0.1), CPU)
    losses = model.train_step(batch, precision)
    weighted = losses["content"] + 10.0 * losses["style"] + 0.1 * losses["tv"] + 5.0 * losses["stability"]
    assert losses["stability"] > 0 and losses["total"] == pytest.approx(weighted, rel=1e-5)
    with pytest.raises(LensEngineError, match="--stability-weight must be >= 0"):
        tiny_config(style_file, stability_weight=-1.0)


def test_stability_loss_makes_the_net_less_sensitive_to_noise(style_file, content_folder):
    batch, precision = content_batch(content_folder), Precision(CPU, amp=False)
    sensitivity = {}
    for weight in (0.0, 1000.0):
        torch.manual_seed(0)
        model = FastStyle(tiny_config(style_file, lr=1e-2, stability_weight=weight, stability_noise=0.1), CPU)
        for _ in range(15):
            model.train_step(batch, precision)
        sensitivity[weight] = noise_sensitivity(model, batch)
    assert sensitivity[1000.0] < 0.5 * sensitivity[0.0]


def test_a_resumed_run_matches_an_unbroken_one(tmp_path, style_file, content_folder):
    samples = ContentSamples(content_folder, 32)
    data = {"source": {"content": str(content_folder), "zoom": 1.5}, "margin": samples.margin, "count": len(samples)}
    config = tiny_config(style_file, stability_weight=1.0)

    def run(folder, steps, resume=None):
        loop = LoopConfig(steps=steps, batch_size=2, device="cpu", progress=False, checkpoint_every=2, log_every=1)
        return train(FastStyle(config, CPU), samples, data, loop, folder, resume=resume)

    straight = read_checkpoint(run(tmp_path / "straight", 4).checkpoint)
    run(tmp_path / "broken", 2)
    resumed = read_checkpoint(run(tmp_path / "broken", 4, resume=read_checkpoint(tmp_path / "broken")).checkpoint)
    ours, theirs = straight.network_state("G"), resumed.network_state("G")
    assert ours.keys() == theirs.keys() and all(torch.equal(ours[key], theirs[key]) for key in ours)
    assert straight.meta["losses"] == resumed.meta["losses"]


def test_content_crops(content_folder):
    samples = ContentSamples(content_folder, 24, zoom=1.5)
    first = samples.sample(1, np.random.default_rng(5))["A"]
    assert first.shape == (24, 24, 3) and first.dtype == np.uint8
    assert np.array_equal(first, samples.sample(1, np.random.default_rng(5))["A"])
    (content_folder / "empty").mkdir()
    with pytest.raises(LensEngineError, match="holds no images"):
        ContentSamples(content_folder / "empty", 24)
    with pytest.raises(LensEngineError, match="does not exist"):
        ContentSamples(content_folder / "missing", 24)


def test_a_changed_style_image_is_refused(style_file):
    config = tiny_config(style_file)
    cv2.imwrite(str(style_file), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(LensEngineError, match="not the one the run was started with"):
        FastStyle(config, torch.device("cpu"))


def test_trained_net_exports_as_frame_and_face_packs(tmp_path, style_file, content_folder):
    model = FastStyle(tiny_config(style_file), torch.device("cpu"))
    samples = ContentSamples(content_folder, 32)
    data = {"source": {"content": str(content_folder), "zoom": 1.5}, "margin": samples.margin, "count": len(samples)}
    loop = LoopConfig(steps=3, batch_size=2, device="cpu", progress=False, log_every=1)
    result = train(model, samples, data, loop, tmp_path / "run")
    checkpoint = read_checkpoint(result.checkpoint)

    frame = export_style(checkpoint, str(tmp_path / "frame_pack"), "test_style", "frame", crop_size=24)
    assert (frame.kind, frame.family, frame.template, frame.crop_size) == ("frame", "style", "none", 24)
    provenance = frame.provenance
    assert provenance["style_image"] == {
        "file": "swirls.png",
        "sha256": file_sha256(style_file),
        "origin": "made by a test",
    }
    assert provenance["loss_features"]["weights"] == "random" and provenance["training"]["steps"] == 3
    lens = NeuralLens(frame, backend="onnxruntime")
    picture = smooth_photo(9, 36, 50)
    out = lens.apply(picture)
    assert out.shape == picture.shape and out.dtype == np.uint8
    net = checkpoint_style_net(checkpoint)
    with torch.no_grad():
        expected = net(
            images_to_tensor(
                torch.from_numpy(cv2.resize(picture, (32, 24), interpolation=cv2.INTER_AREA))[None], torch.device("cpu")
            )
        )
    expected = ((expected[0].permute(1, 2, 0).numpy() + 1) * 127.5).round().clip(0, 255).astype(np.uint8)
    assert (
        np.abs(
            lens.run(cv2.resize(picture, (32, 24), interpolation=cv2.INTER_AREA)[None])[0].astype(int) - expected
        ).max()
        <= 1
    )
    lens.close()

    face = export_style(checkpoint, str(tmp_path / "face_pack"), "test_style_face", "face")
    assert (face.kind, face.template, face.crop_size, face.margin) == ("face", "five_point", 32, samples.margin)
    lens = NeuralLens(face, backend="onnxruntime")
    crops = np.stack([smooth_photo(1, 32, 32), smooth_photo(2, 32, 32)])
    assert lens.apply(crops, np.zeros((2, 478, 2), np.float32)).shape == crops.shape
    lens.close()


def run_cli(argv):
    parser = argparse.ArgumentParser()
    add_style_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


def test_command_line_trains_resumes_and_exports(tmp_path, style_file, content_folder):
    run = tmp_path / "run"
    common = ["--device", "cpu", "--no-progress", "--batch-size", "2"]
    assert (
        run_cli(
            [
                "style",
                "--content",
                str(content_folder),
                "--style",
                str(style_file),
                "--out",
                str(run),
                "--size",
                "32",
                "--style-size",
                "48",
                "--width",
                "4",
                "--n-res",
                "1",
                "--steps",
                "2",
                "--checkpoint-every",
                "1",
                "--vgg-weights",
                "random",
                *common,
            ]
        )
        == 0
    )
    with pytest.raises(LensEngineError, match="--width cannot change"):
        run_cli(["style", "--resume", str(run), "--width", "8", "--steps", "3"])
    assert run_cli(["style", "--resume", str(run), "--steps", "3", "--no-progress"]) == 0
    assert read_checkpoint(run).step == 3
    assert (
        run_cli(
            [
                "style-export",
                "--checkpoint",
                str(run),
                "--out",
                str(tmp_path / "pack"),
                "--name",
                "cli_style",
                "--crop-size",
                "24",
                "--no-fp16",
            ]
        )
        == 0
    )
    assert (tmp_path / "pack" / "lens.toml").is_file()
    with pytest.raises(LensEngineError, match="needs --content"):
        run_cli(["style", "--out", str(tmp_path / "other")])
