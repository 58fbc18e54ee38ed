"""The SR model: a few steps lower the loss, ESPCN starts as a bilinear upscaler, the presets build, bad knobs fail."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine.sources.face_photos import face_photo
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.tensors import images_to_tensor
from lensengine_trainers.superres.bilinear_start import bilinear_taps
from lensengine_trainers.superres.degrade import DegradeConfig
from lensengine_trainers.superres.metrics import psnr
from lensengine_trainers.superres.model import PRESETS, SuperResConfig, SuperResModel
from lensengine_trainers.superres.patches import PatchSamples

CPU = torch.device("cpu")


def patch_batch(folder, scale: int = 2, count: int = 8) -> dict[str, torch.Tensor]:
    samples = PatchSamples([folder], scale, 16, DegradeConfig())
    drawn = [samples.sample(i % len(samples), np.random.default_rng(i)) for i in range(count)]
    return {key: images_to_tensor(torch.from_numpy(np.stack([d[key] for d in drawn])), CPU) for key in ("A", "B")}


@pytest.mark.parametrize("preset", ["espcn-cpu", "fsrcnn-cpu"])
def test_a_few_steps_lower_the_loss(train_folder, preset):
    model = SuperResModel(SuperResConfig.from_preset(preset, 2, bilinear_start=False), CPU)
    batch = patch_batch(train_folder)
    precision = Precision(CPU, amp=False)
    losses = [model.train_step(batch, precision)["L1"] for _ in range(25)]
    assert losses[-1] < 0.8 * losses[0]
    assert model.completed_steps() == 25


def test_espcn_starts_as_bilinear():
    face = face_photo("grace_hopper")[120:376, 140:396]
    small = cv2.resize(face, (128, 128), interpolation=cv2.INTER_AREA)
    bilinear = cv2.resize(small, (256, 256), interpolation=cv2.INTER_LINEAR)
    started = SuperResModel(SuperResConfig(), CPU).upscale_images(small[None])[0]
    random = SuperResModel(SuperResConfig(bilinear_start=False), CPU).upscale_images(small[None])[0]
    assert psnr(started, bilinear) > 35.0
    assert psnr(random, bilinear) < 20.0


def test_an_espcn_too_narrow_to_start_as_bilinear_is_refused_in_one_line():
    with pytest.raises(LensEngineError, match="narrowest hidden layer has 2 channels .* widen the net"):
        SuperResModel(SuperResConfig(net={"width": 4}), CPU)


def test_bilinear_taps():
    assert np.allclose(bilinear_taps(2, 0), [0.25, 0.75, 0.0]) and np.allclose(bilinear_taps(2, 1), [0.0, 0.75, 0.25])
    assert np.allclose(bilinear_taps(4, 0), [0.375, 0.625, 0.0])
    assert np.allclose(bilinear_taps(4, 3), [0.0, 0.625, 0.375])


def test_learning_rate_halves_on_schedule(train_folder):
    model = SuperResModel(SuperResConfig(lr=1e-3, lr_halve_every=2), CPU)
    batch, precision = patch_batch(train_folder, count=2), Precision(CPU, amp=False)
    rates = []
    for _ in range(5):
        model.train_step(batch, precision)
        rates.append(model.optimizers["G"].param_groups[0]["lr"])
    assert rates == pytest.approx([1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4])


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("scale", [2, 4])
def test_presets_build_at_both_scales(preset, scale):
    config = SuperResConfig.from_preset(preset, scale, knobs={"n_blocks": 1} if "gpu" in preset else None)
    model = SuperResModel(SuperResConfig(**vars(config)), CPU)  # as a checkpoint's config dict rebuilds it
    assert model.upscale_images(np.zeros((1, 10, 12, 3), np.uint8)).shape == (1, 10 * scale, 12 * scale, 3)


def test_bad_settings():
    with pytest.raises(LensEngineError, match="not a super-resolution net"):
        SuperResConfig(arch="unet")
    with pytest.raises(LensEngineError, match="--scale"):
        SuperResConfig(scale=3)
    with pytest.raises(LensEngineError, match="no knob depth"):
        SuperResConfig(net={"depth": 3})
    with pytest.raises(LensEngineError, match="set by the trainer"):
        SuperResConfig(net={"scale": 2})
    with pytest.raises(LensEngineError, match="--preset"):
        SuperResConfig.from_preset("huge", 2)


def test_perceptual_loss_with_offline_vgg(train_folder):
    config = SuperResConfig(perceptual=0.05, vgg_weights="random", bilinear_start=False, net={"width": 8})
    model = SuperResModel(config, CPU)
    assert model.vgg_source.weights == "random" and "G" in model.networks and len(model.networks) == 1
    batch, precision = patch_batch(train_folder, count=4), Precision(CPU, amp=False)
    steps = [model.train_step(batch, precision) for _ in range(20)]
    assert set(steps[0]) == {"L1", "perceptual"}
    total = [s["L1"] + 0.05 * s["perceptual"] for s in steps]
    assert total[-1] < 0.8 * total[0]
    with pytest.raises(LensEngineError, match="--perceptual"):
        SuperResConfig(perceptual=-1.0)
