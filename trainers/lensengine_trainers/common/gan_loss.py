"""Adversarial losses on a discriminator's raw logits: "vanilla" (binary cross-entropy, the pix2pix paper)
or "lsgan" (least squares, Mao et al. 2017: steadier gradients)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lensengine.errors import LensEngineError

GAN_MODES = ("vanilla", "lsgan")


def check_gan_mode(mode: str) -> str:
    if mode not in GAN_MODES:
        raise LensEngineError(f"--gan-mode must be one of {', '.join(GAN_MODES)}, got {mode!r}")
    return mode


def gan_loss(logits: torch.Tensor, real: bool, mode: str) -> torch.Tensor:
    """The loss that pushes ``logits`` towards "real" (True) or "fake" (False), computed in float32."""
    logits = logits.float()
    target = torch.ones_like(logits) if real else torch.zeros_like(logits)
    if mode == "vanilla":
        return F.binary_cross_entropy_with_logits(logits, target)
    if mode == "lsgan":
        return F.mse_loss(logits, target)
    raise LensEngineError(f"--gan-mode must be one of {', '.join(GAN_MODES)}, got {mode!r}")
