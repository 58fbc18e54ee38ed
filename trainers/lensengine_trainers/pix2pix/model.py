"""pix2pix (Isola et al., CVPR 2017): a U-Net generator against a conditional 70x70 PatchGAN.

The discriminator sees the input beside an output (6 channels): real pairs (input, target) against fake ones
(input, G(input)). The generator minimises the GAN loss plus ``lambda_l1`` (100) times the L1 distance to the
target; both use Adam (2e-4, betas 0.5 and 0.999) and dropout in the generator's innermost decoder levels.

Presets: "full" is the paper's 256-pixel net (ngf 64, 8 levels, 54 M parameters); "slim32" and "slim16" are
128-pixel nets with 7 levels and ngf 32 or 16, fast enough for a lens on the CPU (FACTS.md: 7 ms and 2-4 ms per
crop with ONNX Runtime), trained against a discriminator of half the width (ndf 32): at ndf 64 the
discriminator, which only training pays for, would cost several times the slim generator.

Norm layers default to instance norm: a lens runs in eval mode on batches of however many faces a frame holds,
and instance norm gives each face the same result as in training, alone or beside others.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F

from lensengine.errors import LensEngineError
from lensengine.nets import build_network
from lensengine_trainers.common.gan_loss import check_gan_mode, gan_loss
from lensengine_trainers.common.patchgan import PatchDiscriminator
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.weight_init import init_gan_weights

DIRECTIONS = ("AtoB", "BtoA")
PRESETS = {
    "full": {"size": 256, "ngf": 64, "num_downs": 8, "ndf": 64},
    "slim32": {"size": 128, "ngf": 32, "num_downs": 7, "ndf": 32},
    "slim16": {"size": 128, "ngf": 16, "num_downs": 7, "ndf": 32},
}


@dataclass
class Pix2PixConfig:
    """Every knob of a pix2pix model (stored in checkpoints and lens-pack provenance)."""

    size: int = 256
    ngf: int = 64
    num_downs: int = 8
    ndf: int = 64
    n_layers: int = 3
    norm: str = "instance"
    dropout: bool = True
    gan_mode: str = "vanilla"
    lambda_l1: float = 100.0
    lr: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    direction: str = "AtoB"

    def __post_init__(self) -> None:
        check_generator_size(self.size, self.num_downs)
        if self.direction not in DIRECTIONS:
            raise LensEngineError(f"--direction must be AtoB or BtoA, got {self.direction!r}")
        check_gan_mode(self.gan_mode)
        if self.lambda_l1 < 0 or self.lr <= 0:
            raise LensEngineError(f"--lambda-l1 must be >= 0 and --lr > 0, got {self.lambda_l1} and {self.lr}")


def check_generator_size(size: int, num_downs: int) -> None:
    """A U-Net with ``num_downs`` levels needs a side divisible by 2**num_downs."""
    if num_downs < 2 or size < 2**num_downs or size % 2**num_downs:
        raise LensEngineError(
            f"--size {size} does not fit a U-Net with {num_downs} levels (needs a multiple of {2**num_downs}): "
            f"use --size {max(2**num_downs, size - size % 2**num_downs)} or --num-downs {max(2, size.bit_length() - 1)}"
        )


def split_direction(batch: dict[str, torch.Tensor], direction: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(input, target) of a batch for ``direction``; the target is None when the batch has no such side."""
    source, target = ("A", "B") if direction == "AtoB" else ("B", "A")
    if source not in batch:
        raise LensEngineError(f"direction {direction} needs the {source} side, but the data gives only A")
    return batch[source], batch.get(target)


def build_generator(config: Pix2PixConfig) -> torch.nn.Module:
    """The U-Net generator ``config`` describes (on the CPU, weights not initialised)."""
    return build_network(
        "unet", in_ch=3, out_ch=3, ngf=config.ngf, num_downs=config.num_downs, norm=config.norm, dropout=config.dropout
    )


def build_conditional_discriminator(config: Pix2PixConfig) -> torch.nn.Module:
    """The PatchGAN that judges (input, output) pairs: 6 channels in (on the CPU, weights not initialised)."""
    return PatchDiscriminator(in_ch=6, ndf=config.ndf, n_layers=config.n_layers, norm=config.norm)


def set_requires_grad(module: torch.nn.Module, flag: bool) -> None:
    for parameter in module.parameters():
        parameter.requires_grad_(flag)


class Pix2Pix:
    """A pix2pix model for the shared loop (see training_model.py)."""

    kind = "pix2pix"

    def __init__(self, config: Pix2PixConfig, device: torch.device, init_seed: int = 0):
        self.settings = config
        self.config = asdict(config)
        self.device = device
        self.data_size = config.size
        self.generator = build_generator(config)
        self.discriminator = build_conditional_discriminator(config)
        init_gan_weights(self.generator, init_seed)
        init_gan_weights(self.discriminator, init_seed + 1)
        self.generator.to(device).train()
        self.discriminator.to(device).train()
        betas = (config.beta1, config.beta2)
        self.networks = {"G": self.generator, "D": self.discriminator}
        self.optimizers = {
            "G": torch.optim.Adam(self.generator.parameters(), lr=config.lr, betas=betas),
            "D": torch.optim.Adam(self.discriminator.parameters(), lr=config.lr, betas=betas),
        }

    def train_step(self, batch: dict[str, torch.Tensor], precision: Precision) -> dict[str, float]:
        source, target = split_direction(batch, self.settings.direction)
        if target is None:
            raise LensEngineError("pix2pix needs pairs: give --pairs, or --faces with --on-the-fly-teacher")
        with precision.autocast():
            fake = self.generator(source)

        set_requires_grad(self.discriminator, True)
        with precision.autocast():
            fake_logits = self.discriminator(torch.cat([source, fake.detach()], dim=1))
            real_logits = self.discriminator(torch.cat([source, target], dim=1))
            loss_d_fake = gan_loss(fake_logits, False, self.settings.gan_mode)
            loss_d_real = gan_loss(real_logits, True, self.settings.gan_mode)
            loss_d = 0.5 * (loss_d_fake + loss_d_real)
        precision.step(loss_d, self.optimizers["D"])

        set_requires_grad(self.discriminator, False)
        with precision.autocast():
            loss_g_gan = gan_loss(self.discriminator(torch.cat([source, fake], dim=1)), True, self.settings.gan_mode)
            loss_g_l1 = F.l1_loss(fake.float(), target.float())
            loss_g = loss_g_gan + self.settings.lambda_l1 * loss_g_l1
        precision.step(loss_g, self.optimizers["G"])
        set_requires_grad(self.discriminator, True)
        return {
            "G_gan": loss_g_gan.item(),
            "G_L1": loss_g_l1.item(),
            "D_real": loss_d_real.item(),
            "D_fake": loss_d_fake.item(),
        }

    @torch.no_grad()
    def sample_images(self, batch: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        source, target = split_direction(batch, self.settings.direction)
        self.generator.eval()
        output = self.generator(source)
        self.generator.train()
        return [source, output, target]
