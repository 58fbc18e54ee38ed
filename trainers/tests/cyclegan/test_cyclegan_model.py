"""The CycleGAN model on the shared loop: losses fall, resume is exact, identity in VGG space, export."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine.lenses.neural import NeuralLens
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.loop import LoopConfig, train
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.tensors import images_to_tensor
from lensengine_trainers.common.vgg import VGGFeatures
from lensengine_trainers.cyclegan.export import checkpoint_generator, export_direction
from lensengine_trainers.cyclegan.model import IDENTITY_VGG_LAYERS, CycleGAN, CycleGANConfig
from lensengine_trainers.cyclegan.quality import generator_translate
from lensengine_trainers.cyclegan.unpaired_folder import UnpairedSamples
from lensengine_trainers.data.augment import AugmentConfig

from .conftest import blob_image

CPU = torch.device("cpu")


def tiny(**changes) -> CycleGANConfig:
    settings = dict(size=32, ngf=4, n_blocks=1, ndf=8, n_layers=3, pool_size=4, constant_steps=50, decay_steps=50)
    return CycleGANConfig(**{**settings, **changes})


def data_for(samples) -> dict:
    return {"source": {"unpaired": str(samples.folder)}, "margin": samples.margin, "count": len(samples)}


def test_a_few_steps_lower_the_cycle_losses():
    model = CycleGAN(tiny(lr=2e-3), CPU)
    batch = {
        "A": images_to_tensor(torch.from_numpy(np.stack([blob_image(1, 32, False)])), CPU),
        "B": images_to_tensor(torch.from_numpy(np.stack([blob_image(2, 32, True)])), CPU),
    }
    precision = Precision(CPU, amp=False)
    history = [model.train_step(batch, precision) for _ in range(25)]
    for name in ("cycle_A", "cycle_B", "idt_AB", "idt_BA"):
        assert np.mean([h[name] for h in history[-5:]]) < 0.8 * np.mean([h[name] for h in history[:5]]), name
    assert int(model.pool_a.count) == 4  # the pool filled up, then swapped
    columns = model.sample_images(batch)
    assert len(columns) == 4 and all(c.shape == (2, 3, 32, 32) for c in columns)


def test_without_set_b_it_says_what_is_missing():
    with pytest.raises(LensEngineError, match="trainB"):
        CycleGAN(tiny(), CPU).train_step({"A": torch.zeros(1, 3, 32, 32)}, Precision(CPU, amp=False))


def test_a_resumed_run_matches_an_unbroken_one(tmp_path, unpaired_folder):
    samples = UnpairedSamples(unpaired_folder, 32, AugmentConfig())
    config = tiny(pool_size=2, constant_steps=2, decay_steps=2)

    def run(folder, steps, resume=None):
        loop = LoopConfig(steps=steps, device="cpu", progress=False, checkpoint_every=2, log_every=1)
        return train(CycleGAN(config, CPU), samples, data_for(samples), loop, folder, resume=resume)

    straight = read_checkpoint(run(tmp_path / "straight", 4).checkpoint)
    run(tmp_path / "broken", 2)
    resumed = read_checkpoint(run(tmp_path / "broken", 4, resume=read_checkpoint(tmp_path / "broken")).checkpoint)
    for name in ("G_AB", "G_BA", "D_A", "D_B", "pool_A", "pool_B"):
        ours, theirs = straight.network_state(name), resumed.network_state(name)
        assert all(torch.equal(ours[key], theirs[key]) for key in ours), name
    groups = straight.meta["optimizers"]["G"]["param_groups"]
    assert groups[0]["schedule_step"] == 4 and groups[0]["lr"] == pytest.approx(config.lr * 0.5)


def test_identity_in_vgg_feature_space(tmp_path):
    net = VGGFeatures("vgg16", IDENTITY_VGG_LAYERS)
    path = tmp_path / "my_vgg16.pth"
    torch.save({f"features.{k}": torch.randn(v.shape) * 0.05 for k, v in net.features.state_dict().items()}, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    model = CycleGAN(tiny(identity_features="vgg", vgg_weights=str(path), vgg_sha256=digest), CPU)
    assert model.identity.source.sha256 == digest
    batch = {"A": torch.rand(1, 3, 32, 32) * 2 - 1, "B": torch.rand(1, 3, 32, 32) * 2 - 1}
    losses = model.train_step(batch, Precision(CPU, amp=False))
    assert losses["idt_AB"] > 0 and np.isfinite(losses["idt_BA"])
    with pytest.raises(LensEngineError, match="sha256"):
        CycleGAN(tiny(identity_features="vgg", vgg_weights=str(path)), CPU)  # not torchvision's file


def test_bad_settings():
    with pytest.raises(LensEngineError, match="--identity-features"):
        tiny(identity_features="lpips")
    with pytest.raises(LensEngineError, match="--size"):
        tiny(size=30)


def test_both_directions_export_and_run(tmp_path, unpaired_folder):
    samples = UnpairedSamples(unpaired_folder, 32, AugmentConfig())
    loop = LoopConfig(steps=2, device="cpu", progress=False)
    checkpoint = read_checkpoint(
        train(CycleGAN(tiny(), CPU), samples, data_for(samples), loop, tmp_path / "run").checkpoint
    )
    crops = np.stack([blob_image(7, 32, False), blob_image(8, 32, True)])
    for direction, name in (("AtoB", "test_add_bar"), ("BtoA", "test_remove_bar")):
        pack = export_direction(checkpoint, direction, str(tmp_path / name), name, quality={"note": "test"}, fp16=False)
        assert (pack.family, pack.kind, pack.arch, pack.crop_size) == ("cyclegan", "face", "resnet_generator", 32)
        assert pack.provenance["direction"] == direction and pack.provenance["training"]["steps"] == 2
        assert pack.provenance["identity_loss"]["features"] == "pixels"
        lens = NeuralLens(pack, backend="onnxruntime")
        out = lens.apply(crops, np.zeros((2, 478, 2), np.float32))
        lens.close()
        expected = generator_translate(checkpoint_generator(checkpoint, direction))(crops)
        assert np.abs(out.astype(int) - expected.astype(int)).max() <= 1
