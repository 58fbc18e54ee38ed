"""pix2pix (Isola et al., CVPR 2017): a U-Net generator against a conditional 70x70 PatchGAN.

The discriminator sees the input beside an output (6 channels): real pairs (input, target) against fake ones
(input, G(input)). The generator minimises ``lambda_gan`` (1) times the GAN loss plus ``lambda_l1`` (100) times
the L1 distance to the target (``lambda_gan`` 0 trains without the discriminator: L1 alone, several times
cheaper on a CPU, enough where the target is exact and the net slim); both use Adam (2e-4, betas 0.5 and
0.999) and dropout in the generator's innermost decoder levels.

Presets: "full" is the paper's 256-pixel net (ngf 64, 8 levels, 54 M parameters); "slim32" and "slim16" are
128-pixel nets with 7 levels and ngf 32 or 16, fast enough for a lens on the CPU (FACTS.md: 7 ms and 2-4 ms per
crop with ONNX Runtime), trained against a discriminator of half the width (ndf 32): at ndf 64 the
discriminator, which only training pays for, would cost several times the slim generator.

With ``alpha`` the generator has an alpha head (``lensengine.nets.unet``: colour through tanh, alpha through a
sigmoid) and what it shows is the composite ``input * (1 - alpha) + colour * alpha``, as in the attention-mask
generators (GANimation, Pumarola et al. 2018; attention-guided CycleGAN, Mejjati et al. 2018): the L1 and GAN
losses see the composite, and the alpha has the papers' regularisers, an L1 sparsity term (``lambda_alpha_l1``
times its mean) and total variation (``lambda_alpha_tv``). When the target carries the teacher's alpha (a
teacher lens that returns colour + alpha, on the fly), the alpha is also supervised with binary cross-entropy
(``lambda_alpha``) and the colour is pulled to the target under the teacher's alpha (``lambda_l1`` times the
L1 there): the data is paired, so the mask need not be discovered. The alpha channel starts near 0 (bias
``ALPHA_BIAS_INIT``): an untrained net leaves the face as it is.

``lambda_l2`` (0) adds that many times the mean squared error to the target. L1 pulls each pixel to the median of
what the target might be there, L2 to the mean: a small detail whose place the net can only tell to a pixel or
so (the one-pixel highlights of pixel-art glasses) is dropped by L1 alone and kept, a little soft, with L2.

Norm layers default to instance norm: a lens runs in eval mode on batches of however many faces a frame holds,
and instance norm gives each face the same result as in training, alone or beside others.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F

from lensengine.errors import LensEngineError
from lensengine.nets import build_network
from lensengine.nets.unet import composite, split_colour_alpha
from lensengine_trainers.common.gan_loss import check_gan_mode, gan_loss
from lensengine_trainers.common.lr_schedule import LinearDecaySchedule
from lensengine_trainers.common.patchgan import PatchDiscriminator
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.weight_init import init_gan_weights

DIRECTIONS = ("AtoB", "BtoA")
PRESETS = {
    "full": {"size": 256, "ngf": 64, "num_downs": 8, "ndf": 64},
    "slim32": {"size": 128, "ngf": 32, "num_downs": 7, "ndf": 32},
    "slim16": {"size": 128, "ngf": 16, "num_downs": 7, "ndf": 32},
}
ALPHA_BIAS_INIT = -4.0  # sigmoid(-4) = 0.018: a new alpha net starts by leaving the face alone


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
    lambda_l2: float = 0.0
    lambda_gan: float = 1.0
    lr: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    direction: str = "AtoB"
    alpha: bool = False
    coords: bool = False
    lambda_alpha: float = 10.0
    lambda_alpha_l1: float = 0.1
    lambda_alpha_tv: float = 0.1
    decay_steps: int = 0  # the last steps over which the rate falls linearly to 0 (0: constant, as before)
    constant_steps: int = 0  # steps at the full rate before the decay (set from --steps)

    def __post_init__(self) -> None:
        check_generator_size(self.size, self.num_downs)
        if self.direction not in DIRECTIONS:
            raise LensEngineError(f"--direction must be AtoB or BtoA, got {self.direction!r}")
        check_gan_mode(self.gan_mode)
        if min(self.lambda_l1, self.lambda_l2) < 0 or self.lr <= 0:
            raise LensEngineError(
                f"--lambda-l1 and --lambda-l2 must be >= 0 and --lr > 0, got {self.lambda_l1}, {self.lambda_l2} "
                f"and {self.lr}"
            )
        if self.lambda_gan < 0:
            raise LensEngineError(f"--lambda-gan must be >= 0 (0: no discriminator), got {self.lambda_gan}")
        if self.decay_steps < 0 or self.constant_steps < 0:
            raise LensEngineError(f"--decay-steps must be 0 or more, got {self.decay_steps}")
        if min(self.lambda_alpha, self.lambda_alpha_l1, self.lambda_alpha_tv) < 0:
            raise LensEngineError(
                "--lambda-alpha, --lambda-alpha-l1 and --lambda-alpha-tv must be >= 0, got "
                f"{self.lambda_alpha}, {self.lambda_alpha_l1} and {self.lambda_alpha_tv}"
            )


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
        "unet",
        in_ch=3,
        out_ch=3,
        ngf=config.ngf,
        num_downs=config.num_downs,
        norm=config.norm,
        dropout=config.dropout,
        alpha=config.alpha,
        coords=config.coords,
    )


def rate_schedule(config: Pix2PixConfig) -> LinearDecaySchedule | None:
    """The learning-rate decay ``config`` asks for (the pix2pix paper's linear decay to 0), or None: constant."""
    return LinearDecaySchedule(config.lr, config.constant_steps, config.decay_steps) if config.decay_steps else None


def update(loss: torch.Tensor, optimizer, precision: Precision, schedule: LinearDecaySchedule | None) -> None:
    """One optimiser update from ``loss``, at the scheduled rate when the run decays it."""
    if schedule is not None:
        schedule.apply(optimizer)
    precision.step(loss, optimizer)


def init_alpha_bias(generator: torch.nn.Module, value: float = ALPHA_BIAS_INIT) -> None:
    """Start an alpha U-Net's alpha channel at ``sigmoid(value)``: its last layer's last bias."""
    if generator.config.get("alpha"):
        with torch.no_grad():
            generator.up[0][1].bias[-1].fill_(value)


def total_variation(image: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between horizontal and vertical neighbours."""
    dx = (image[..., :, 1:] - image[..., :, :-1]).abs().mean()
    dy = (image[..., 1:, :] - image[..., :-1, :]).abs().mean()
    return dx + dy


def shown_image(source: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """What a generator's output shows: the composite for an alpha net (4 channels), else the output itself."""
    return composite(source, output) if output.shape[1] == source.shape[1] + 1 else output


def target_colour_alpha(target: torch.Tensor, channels: int = 3) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(target colour, target alpha in [0, 1] or None) of a target batch with or without an alpha channel."""
    if target.shape[1] == channels + 1:
        return target[:, :channels], (target[:, channels:] + 1.0) * 0.5
    return target, None


def alpha_losses(output: torch.Tensor, target: torch.Tensor, config: Pix2PixConfig) -> dict[str, torch.Tensor]:
    """The alpha head's terms (float32, outside autocast): sparsity, total variation and, when the target has
    the teacher's alpha, its binary cross-entropy and the colour's L1 under that alpha. Not yet weighted."""
    colour, alpha = split_colour_alpha(output.float())
    target_colour, target_alpha = target_colour_alpha(target.float())
    losses = {"alpha_l1": alpha.mean(), "alpha_tv": total_variation(alpha)}
    if target_alpha is not None:
        losses["alpha_bce"] = F.binary_cross_entropy(alpha.clamp(1e-6, 1.0 - 1e-6), target_alpha)
        losses["colour_l1"] = ((colour - target_colour).abs() * target_alpha).mean()
    return losses


def weighted_alpha_loss(losses: dict[str, torch.Tensor], config: Pix2PixConfig) -> torch.Tensor:
    total = config.lambda_alpha_l1 * losses["alpha_l1"] + config.lambda_alpha_tv * losses["alpha_tv"]
    if "alpha_bce" in losses:
        total = total + config.lambda_alpha * losses["alpha_bce"] + config.lambda_l1 * losses["colour_l1"]
    return total


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
        init_alpha_bias(self.generator)
        init_gan_weights(self.discriminator, init_seed + 1)
        self.generator.to(device).train()
        self.discriminator.to(device).train()
        betas = (config.beta1, config.beta2)
        self.networks = {"G": self.generator, "D": self.discriminator}
        self.optimizers = {
            "G": torch.optim.Adam(self.generator.parameters(), lr=config.lr, betas=betas),
            "D": torch.optim.Adam(self.discriminator.parameters(), lr=config.lr, betas=betas),
        }
        self.replicas = dict(self.networks)
        self.schedule = rate_schedule(config)

    def train_step(self, batch: dict[str, torch.Tensor], precision: Precision) -> dict[str, float]:
        source, target = split_direction(batch, self.settings.direction)
        if target is None:
            raise LensEngineError("pix2pix needs pairs: give --pairs, or --faces with --on-the-fly-teacher")
        target_colour, _ = target_colour_alpha(target, source.shape[1])
        with precision.autocast():
            output = self.replicas["G"](source)
            fake = shown_image(source, output)

        losses = {}
        if self.settings.lambda_gan > 0:
            set_requires_grad(self.discriminator, True)
            with precision.autocast():
                fake_logits = self.replicas["D"](torch.cat([source, fake.detach()], dim=1))
                real_logits = self.replicas["D"](torch.cat([source, target_colour], dim=1))
                loss_d_fake = gan_loss(fake_logits, False, self.settings.gan_mode)
                loss_d_real = gan_loss(real_logits, True, self.settings.gan_mode)
                loss_d = 0.5 * (loss_d_fake + loss_d_real)
            update(loss_d, self.optimizers["D"], precision, self.schedule)
            set_requires_grad(self.discriminator, False)
            losses.update(D_real=loss_d_real.item(), D_fake=loss_d_fake.item())

        with precision.autocast():
            loss_g_l1 = F.l1_loss(fake.float(), target_colour.float())
            loss_g = self.settings.lambda_l1 * loss_g_l1
            if self.settings.lambda_l2 > 0:
                loss_g_l2 = F.mse_loss(fake.float(), target_colour.float())
                loss_g = loss_g + self.settings.lambda_l2 * loss_g_l2
                losses["G_L2"] = loss_g_l2.item()
            if self.settings.lambda_gan > 0:
                fake_logits = self.discriminator(torch.cat([source, fake], dim=1))
                loss_g_gan = gan_loss(fake_logits, True, self.settings.gan_mode)
                loss_g = loss_g + self.settings.lambda_gan * loss_g_gan
                losses["G_gan"] = loss_g_gan.item()
        extra = {}
        if self.settings.alpha:
            extra = alpha_losses(output, target, self.settings)
            loss_g = loss_g + weighted_alpha_loss(extra, self.settings)
        update(loss_g, self.optimizers["G"], precision, self.schedule)
        set_requires_grad(self.discriminator, True)
        losses["G_L1"] = loss_g_l1.item()
        return {**losses, **{name: value.item() for name, value in extra.items()}}

    @torch.no_grad()
    def sample_images(self, batch: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        source, target = split_direction(batch, self.settings.direction)
        self.generator.eval()
        output = self.generator(source)
        self.generator.train()
        target_colour, target_alpha = target_colour_alpha(target, source.shape[1])
        images = [source, shown_image(source, output), target_colour]
        if output.shape[1] == source.shape[1] + 1:  # the alpha, grey, beside the teacher's
            images.append(output[:, -1:].expand_as(source))
            if target_alpha is not None:
                images.append((target_alpha * 2.0 - 1.0).expand_as(source))
        return images
