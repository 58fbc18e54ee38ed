"""Distillation: a trained full-size generator (the teacher) teaches a slim student for real time on the CPU.

The student learns ``lambda_l1`` times the L1 distance to the teacher's output, optionally with a conditional
PatchGAN that takes the teacher's outputs as the real ones (``gan``). The data is read at the teacher's crop
size; the student sees it shrunk (area average) to its own size, and so does the teacher's output. The teacher
runs in eval mode (no dropout), as it would in a lens pack.

A teacher that draws colour + alpha (``--alpha``) has an alpha student: the L1 distance is taken between what the
two show (their composites over the input, ``G_L1``) plus between their alphas (``alpha_L1``), and the PatchGAN
judges composites.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F

from lensengine.errors import LensEngineError
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.gan_loss import gan_loss
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.weight_init import init_gan_weights
from lensengine_trainers.pix2pix.model import (
    Pix2PixConfig,
    build_conditional_discriminator,
    build_generator,
    init_alpha_bias,
    rate_schedule,
    set_requires_grad,
    shown_image,
    split_direction,
    update,
)


@dataclass
class DistillConfig(Pix2PixConfig):
    """The student's pix2pix knobs, the teacher checkpoint, and whether to add the GAN loss."""

    teacher: str = ""
    gan: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.lambda_l2:
            raise LensEngineError("--lambda-l2 is a pix2pix option: distill learns the L1 to its teacher")


def generator_config(model_config: dict) -> Pix2PixConfig:
    """The generator knobs inside a pix2pix or distill model config."""
    known = {f.name for f in fields(Pix2PixConfig)}
    return Pix2PixConfig(**{key: value for key, value in model_config.items() if key in known})


def load_generator(checkpoint_path: str, device: torch.device) -> tuple[torch.nn.Module, Pix2PixConfig]:
    """The generator "G" of a pix2pix or distill checkpoint, in eval mode, frozen, on ``device``."""
    checkpoint = read_checkpoint(checkpoint_path)
    config = generator_config(checkpoint.model_config)
    generator = build_generator(config)
    generator.load_state_dict(checkpoint.network_state("G"))
    set_requires_grad(generator, False)
    return generator.to(device).eval(), config


def shrink(images: torch.Tensor, size: int) -> torch.Tensor:
    """N x C x S x S images averaged down to ``size`` (unchanged when already that size)."""
    if images.shape[-1] == size:
        return images
    return F.interpolate(images.float(), size=(size, size), mode="area")


class Distill:
    """Teacher generator -> student generator, for the shared loop (see training_model.py)."""

    kind = "distill"

    def __init__(self, config: DistillConfig, device: torch.device, init_seed: int = 0):
        if not config.teacher:
            raise LensEngineError("distillation needs a teacher: pass --teacher-checkpoint RUN_OR_CHECKPOINT")
        self.teacher, teacher_config = load_generator(config.teacher, device)
        if teacher_config.direction != config.direction:
            raise LensEngineError(
                f"the teacher was trained {teacher_config.direction}; "
                f"distil with --direction {teacher_config.direction}"
            )
        if teacher_config.alpha != config.alpha:
            raise LensEngineError(
                "the teacher draws colour + alpha: distil with --alpha"
                if teacher_config.alpha
                else "the teacher draws colour only: distil without --alpha"
            )
        if config.size > teacher_config.size:
            raise LensEngineError(
                f"the student ({config.size} px) must not be larger than the teacher ({teacher_config.size} px)"
            )
        self.teacher_size = self.data_size = teacher_config.size
        self.settings = config
        self.config = asdict(config)
        self.device = device
        self.student = build_generator(config)
        init_gan_weights(self.student, init_seed)
        init_alpha_bias(self.student)
        self.student.to(device).train()
        betas = (config.beta1, config.beta2)
        self.networks = {"G": self.student}
        self.optimizers = {"G": torch.optim.Adam(self.student.parameters(), lr=config.lr, betas=betas)}
        if config.gan:
            self.discriminator = build_conditional_discriminator(config)
            init_gan_weights(self.discriminator, init_seed + 1)
            self.discriminator.to(device).train()
            self.networks["D"] = self.discriminator
            self.optimizers["D"] = torch.optim.Adam(self.discriminator.parameters(), lr=config.lr, betas=betas)
        self.replicas = dict(self.networks)
        self.schedule = rate_schedule(config)

    def _inputs_and_targets(
        self, batch: dict[str, torch.Tensor], precision: Precision
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The student's inputs and the teacher's outputs for them, both at the student's size."""
        source, _ = split_direction(batch, self.settings.direction)
        if source.shape[-1] != self.teacher_size:
            raise LensEngineError(
                f"the teacher takes {self.teacher_size} px crops, the data gives {source.shape[-1]} px"
            )
        with torch.no_grad(), precision.autocast():
            target = self.teacher(source)
        return shrink(source, self.settings.size), shrink(target, self.settings.size).float()

    def train_step(self, batch: dict[str, torch.Tensor], precision: Precision) -> dict[str, float]:
        source, target = self._inputs_and_targets(batch, precision)
        with precision.autocast():
            output = self.replicas["G"](source)
            shown, wanted = shown_image(source, output), shown_image(source, target)
        losses = {}
        mode = self.settings.gan_mode
        if self.settings.gan:
            set_requires_grad(self.discriminator, True)
            with precision.autocast():
                fake = gan_loss(self.replicas["D"](torch.cat([source, shown.detach()], 1)), False, mode)
                real = gan_loss(self.replicas["D"](torch.cat([source, wanted], 1)), True, mode)
                loss_d = 0.5 * (fake + real)
            update(loss_d, self.optimizers["D"], precision, self.schedule)
            set_requires_grad(self.discriminator, False)
            losses.update(D_real=real.item(), D_fake=fake.item())
        with precision.autocast():
            loss_l1 = F.l1_loss(shown.float(), wanted.float())
            loss = self.settings.lambda_l1 * loss_l1
            if self.settings.alpha:
                loss_alpha = F.l1_loss(output[:, -1:].float(), target[:, -1:])
                loss = loss + self.settings.lambda_l1 * loss_alpha
                losses["alpha_L1"] = loss_alpha.item()
            if self.settings.gan:
                loss_gan = gan_loss(self.discriminator(torch.cat([source, shown], 1)), True, mode)
                loss = loss + loss_gan
                losses["G_gan"] = loss_gan.item()
        update(loss, self.optimizers["G"], precision, self.schedule)
        if self.settings.gan:
            set_requires_grad(self.discriminator, True)
        losses["G_L1"] = loss_l1.item()
        return losses

    @torch.no_grad()
    def sample_images(self, batch: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        source, target = self._inputs_and_targets(batch, Precision(self.device, False))
        self.student.eval()
        output = self.student(source)
        self.student.train()
        return [source, shown_image(source, output), shown_image(source, target)]
