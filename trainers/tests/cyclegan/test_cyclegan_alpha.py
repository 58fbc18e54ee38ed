"""CycleGAN with alpha heads (``--alpha``): composited outputs everywhere, the mask's regularisers, rgba packs that
match torch, and runs from before the option still resume."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

import numpy as np
import onnxruntime
import pytest
import torch
from safetensors.torch import load_file

from lensengine.errors import LensEngineError
from lensengine.lenses.neural import NeuralLens
from lensengine.nets.unet import split_colour_alpha
from lensengine.packs import load_pack
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.loop import LoopConfig, train
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.tensors import images_to_tensor
from lensengine_trainers.cyclegan.cli import add_cyclegan_parser
from lensengine_trainers.cyclegan.export import checkpoint_generator
from lensengine_trainers.cyclegan.model import CycleGAN, CycleGANConfig
from lensengine_trainers.cyclegan.quality import generator_translate, pack_translate, shown_crops
from lensengine_trainers.cyclegan.unpaired_folder import UnpairedSamples
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.pix2pix.model import shown_image

from .conftest import blob_image

CPU = torch.device("cpu")
ALPHA_TERMS = ("alpha_l1_AB", "alpha_tv_AB", "alpha_l1_BA", "alpha_tv_BA")


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny nets gain nothing from a second thread, and on a busy machine its waiting stalls them (after the
    folder's two-thread fixture, so this one wins)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny(**changes) -> CycleGANConfig:
    settings = dict(size=32, ngf=4, n_blocks=1, ndf=8, n_layers=3, pool_size=4, constant_steps=50, decay_steps=50)
    return CycleGANConfig(**{**settings, **changes})


def blob_batch() -> dict[str, torch.Tensor]:
    """Two plain fields as set A, two fields with a bar as set B."""
    a = np.stack([blob_image(1, 32, False), blob_image(3, 32, False)])
    b = np.stack([blob_image(2, 32, True), blob_image(4, 32, True)])
    return {"A": images_to_tensor(torch.from_numpy(a), CPU), "B": images_to_tensor(torch.from_numpy(b), CPU)}


def mean_alphas(model: CycleGAN, batch: dict[str, torch.Tensor]) -> tuple[float, float]:
    with torch.no_grad():
        return tuple(
            split_colour_alpha(generator(batch[side]))[1].mean().item()
            for generator, side in ((model.g_ab, "A"), (model.g_ba, "B"))
        )


def run_cli(argv):
    parser = argparse.ArgumentParser()
    add_cyclegan_parser(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


TINY_OPTIONS = ["--size", "32", "--ngf", "4", "--n-blocks", "1", "--ndf", "8", "--device", "cpu", "--no-progress"]


def test_an_alpha_cyclegan_trains_with_finite_losses_and_alpha_terms():
    model = CycleGAN(tiny(alpha=True), CPU)
    assert model.g_ab.config["alpha"] and model.g_ba.config["alpha"]
    batch = blob_batch()
    history = [model.train_step(batch, Precision(CPU, amp=False)) for _ in range(3)]
    for losses in history:
        assert set(ALPHA_TERMS) <= set(losses)
        assert all(np.isfinite(value) for value in losses.values()), losses
        assert all(0.0 < losses[name] < 1.0 for name in ALPHA_TERMS)
    assert model.pool_b.images[0].shape == (3, 32, 32)  # the pool holds composites, not colour + alpha
    columns = model.sample_images(batch)
    assert len(columns) == 5 and all(c.shape == (4, 3, 32, 32) for c in columns)  # 5th: the alpha in grey
    torch.testing.assert_close(columns[4][:2, :1], model.g_ab(batch["A"])[:, 3:].detach())


def test_without_alpha_nothing_changes():
    model = CycleGAN(tiny(), CPU)
    assert not model.g_ab.config["alpha"]
    losses = model.train_step(blob_batch(), Precision(CPU, amp=False))
    assert not set(ALPHA_TERMS) & set(losses)
    assert len(model.sample_images(blob_batch())) == 4


@pytest.mark.parametrize("ngf", [4, 16])
def test_at_initialisation_the_composite_is_close_to_the_input(ngf):
    model = CycleGAN(tiny(alpha=True, ngf=ngf), CPU)
    batch = blob_batch()
    assert max(mean_alphas(model, batch)) < 0.05
    with torch.no_grad():
        for generator, side in ((model.g_ab, "A"), (model.g_ba, "B")):
            source = batch[side]
            assert (shown_image(source, generator(source)) - source).abs().max() < 0.15
            assert (shown_image(source, generator(source)) - source).abs().mean() < 0.02


def test_the_sparsity_term_keeps_the_mask_small():
    """With the cycle and identity losses off, the GAN loss alone opens the mask; a large sparsity weight keeps it
    shut (the same seed, data and steps)."""
    batch = blob_batch()
    alphas = {}
    for weight in (0.0, 10.0):
        torch.manual_seed(0)
        settings = dict(lambda_cycle=0.0, lambda_identity=0.0, lambda_alpha_tv=0.0, lr=2e-3)
        model = CycleGAN(tiny(alpha=True, lambda_alpha_l1=weight, **settings), CPU)
        for _ in range(8):
            model.train_step(batch, Precision(CPU, amp=False))
        alphas[weight] = mean_alphas(model, batch)
    for free, sparse in zip(alphas[0.0], alphas[10.0]):
        assert sparse < 0.5 * free, alphas


def test_the_alpha_starts_at_the_opacity_asked_for():
    with torch.no_grad():
        for start in (0.25, 0.5):
            model = CycleGAN(tiny(alpha=True, alpha_start=start), CPU)
            for generator in (model.g_ab, model.g_ba):
                assert torch.sigmoid(generator.model[-2].bias[-1]).item() == pytest.approx(start, rel=1e-5)
    for bad in (0.0, 1.0, -0.1):
        with pytest.raises(LensEngineError, match="--alpha-start must be an opacity strictly between 0 and 1"):
            tiny(alpha=True, alpha_start=bad)


def test_bad_alpha_weights():
    with pytest.raises(LensEngineError, match="--lambda-alpha-l1"):
        tiny(alpha=True, lambda_alpha_l1=-1.0)
    with pytest.raises(LensEngineError, match="--lambda-alpha-tv"):
        tiny(alpha=True, lambda_alpha_tv=-0.5)


def test_alpha_run_exports_two_rgba_packs_that_match_torch(tmp_path, unpaired_folder):
    run = tmp_path / "run"
    train_argv = ["cyclegan", "--data", str(unpaired_folder), "--out", str(run), *TINY_OPTIONS, "--steps", "2"]
    assert run_cli([*train_argv, "--alpha", "--lambda-alpha-l1", "0.2", "--lambda-alpha-tv", "0.05"]) == 0
    checkpoint = read_checkpoint(run)
    config = checkpoint.model_config
    assert (config["alpha"], config["lambda_alpha_l1"], config["lambda_alpha_tv"]) == (True, 0.2, 0.05)
    assert {"alpha_l1_AB", "alpha_tv_BA"} <= set(checkpoint.meta["losses"])
    argv = ["cyclegan-export", "--checkpoint", str(run), "--out-ab", str(tmp_path / "ab"), "--name-ab", "ab"]
    assert run_cli([*argv, "--out-ba", str(tmp_path / "ba"), "--name-ba", "ba"]) == 0

    batch = torch.rand(3, 3, 32, 32) * 2 - 1
    crops = np.stack([blob_image(7, 32, False), blob_image(8, 32, True)])
    for direction, name in (("AtoB", "ab"), ("BtoA", "ba")):
        pack = load_pack(tmp_path / name)
        assert pack.outputs == "rgba" and pack.config["alpha"] is True and "alpha" in pack.description
        assert pack.provenance["trainer"]["config"]["alpha"] is True
        generator = checkpoint_generator(checkpoint, direction)
        with torch.no_grad():
            expected = generator(batch).numpy()
        for key in ("onnx_fp32", "onnx_fp16"):
            session = onnxruntime.InferenceSession(str(pack.file(key)), providers=["CPUExecutionProvider"])
            out = session.run(None, {"input": batch.numpy()})[0]
            assert out.shape == (3, 4, 32, 32)
            tolerance = 1e-4 if key == "onnx_fp32" else 2e-2
            assert np.abs(out[:, :3] - expected[:, :3]).max() < tolerance, key  # colour
            assert np.abs(out[:, 3] - expected[:, 3]).max() < tolerance, key  # alpha
        lens = NeuralLens(pack, backend="onnxruntime")
        out = lens.apply(crops, np.zeros((2, 478, 2), np.float32))
        lens.close()
        assert out.shape == (2, 32, 32, 4)
        # what the pack shows is what the generator shows (the composite), to a level or two of rounding
        shown, wanted = pack_translate(str(tmp_path / name))(crops), generator_translate(generator)(crops)
        assert shown.shape == wanted.shape == (2, 32, 32, 3)
        assert np.abs(shown.astype(int) - wanted.astype(int)).max() <= 2


def test_shown_crops_composites_colour_over_the_input():
    inputs = np.full((1, 2, 2, 3), 100, np.uint8)
    rgba = np.zeros((1, 2, 2, 4), np.uint8)
    rgba[..., :3] = 200
    rgba[0, 0, 0, 3], rgba[0, 0, 1, 3] = 255, 51  # full, a fifth; the rest 0
    shown = shown_crops(inputs, rgba)
    assert shown[0, 0, 0].tolist() == [200] * 3 and shown[0, 0, 1].tolist() == [120] * 3
    assert (shown[0, 1] == 100).all()
    colour_only = rgba[..., :3]
    assert shown_crops(inputs, colour_only) is colour_only  # a colour-only lens shows its output


def test_a_run_from_before_alpha_still_resumes_and_exports_rgb(tmp_path, unpaired_folder):
    samples = UnpairedSamples(unpaired_folder, 32, AugmentConfig())
    source = {"unpaired": str(unpaired_folder), "augment": asdict(AugmentConfig())}
    data = {"source": source, "margin": samples.margin, "count": len(samples)}
    loop = LoopConfig(steps=2, device="cpu", progress=False)
    run = tmp_path / "old"
    config = tiny(constant_steps=2, decay_steps=2)
    first = train(CycleGAN(config, CPU), samples, data, loop, run).checkpoint
    meta_path = first / "checkpoint.json"
    meta = json.loads(meta_path.read_text())
    for key in ("alpha", "lambda_alpha_l1", "lambda_alpha_tv"):  # as a checkpoint written before the option
        del meta["model"]["config"][key]
    meta_path.write_text(json.dumps(meta))

    with pytest.raises(LensEngineError, match="--alpha cannot change when resuming"):
        run_cli(["cyclegan", "--resume", str(run), "--steps", "4", "--alpha"])
    assert run_cli(["cyclegan", "--resume", str(run), "--steps", "4", "--no-progress"]) == 0
    resumed = read_checkpoint(run)
    assert resumed.step == 4 and resumed.model_config["alpha"] is False
    argv = ["cyclegan-export", "--checkpoint", str(first), "--out-ab", str(tmp_path / "ab"), "--name-ab", "ab"]
    assert run_cli([*argv, "--no-fp16"]) == 0
    pack = load_pack(tmp_path / "ab")
    assert pack.outputs == "rgb" and pack.config["alpha"] is False


def test_a_colour_run_warm_starts_an_alpha_run(tmp_path, unpaired_folder):
    """The colour packs of a run start a new --alpha run: colour weights copied, alpha at --alpha-start, the packs
    named in the run's data; packs of another width are refused in one line."""
    colour = tmp_path / "colour"
    data = ["--data", str(unpaired_folder)]
    assert run_cli(["cyclegan", *data, "--out", str(colour), *TINY_OPTIONS, "--steps", "2"]) == 0
    argv = ["cyclegan-export", "--checkpoint", str(colour), "--out-ab", str(tmp_path / "ab"), "--name-ab", "ab"]
    assert run_cli([*argv, "--out-ba", str(tmp_path / "ba"), "--name-ba", "ba"]) == 0
    warm = tmp_path / "warm"
    new_run = ["cyclegan", *data, *TINY_OPTIONS, "--alpha", "--alpha-start", "0.5"]
    packs = ["--warm-start", str(tmp_path / "ab"), str(tmp_path / "ba")]
    assert run_cli([*new_run, *packs, "--out", str(warm), "--steps", "1", "--lr", "1e-12"]) == 0
    started = read_checkpoint(warm)
    assert set(started.meta["data"]["source"]["warm_start"]) == {"AtoB", "BtoA"}
    for direction, pack_name in (("AtoB", "ab"), ("BtoA", "ba")):
        generator, colour_pack = checkpoint_generator(started, direction), load_pack(tmp_path / pack_name)
        weights = load_file(colour_pack.file("safetensors"))
        last, key = generator.model[-2], f"model.{len(generator.model) - 2}.weight"
        torch.testing.assert_close(last.weight[:3], weights[key], atol=1e-6, rtol=0)
        assert torch.sigmoid(last.bias[3]).item() == pytest.approx(0.5, abs=1e-3)
    with pytest.raises(LensEngineError, match="--warm-start: .* trained with other knobs: start the run with --ngf 4"):
        wide = ["cyclegan", *data, *TINY_OPTIONS, "--ngf", "8", "--alpha"]  # the later --ngf wins
        run_cli([*wide, *packs, "--out", str(tmp_path / "wide"), "--steps", "1"])


def test_the_warmup_raises_the_cycle_and_sparsity_weights_from_zero():
    """Over --warmup-steps the cycle, identity and sparsity terms rise linearly from 0: at the first step the
    generators' loss is the GAN loss (and the alpha TV) alone, so the same step with all of them off matches it."""
    batch = blob_batch()
    model = CycleGAN(tiny(alpha=True, warmup_steps=4), CPU)
    factors = []
    for _ in range(6):
        factors.append(model.warmup_factor())
        model.train_step(batch, Precision(CPU, amp=False))
    assert factors == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    weights = {}
    for name, changes in (("warmup", {"warmup_steps": 10}), ("off", {"lambda_cycle": 0.0, "lambda_alpha_l1": 0.0})):
        torch.manual_seed(0)
        model = CycleGAN(tiny(alpha=True, **changes), CPU)
        torch.manual_seed(1)
        model.train_step(batch, Precision(CPU, amp=False))
        weights[name] = model.g_ab.model[-2].weight.detach().clone()
    torch.testing.assert_close(weights["warmup"], weights["off"])
    with pytest.raises(LensEngineError, match="--warmup-steps must be 0 or more"):
        tiny(warmup_steps=-1)
