"""pix2pix's weight initialisation: convolutions from N(0, 0.02), norm scales from N(1, 0.02), biases zero."""

from __future__ import annotations

import torch
from torch import nn

CONVOLUTIONS = (nn.Conv2d, nn.ConvTranspose2d)
NORMS = (nn.BatchNorm2d, nn.InstanceNorm2d)


def init_gan_weights(module: nn.Module, seed: int) -> None:
    """Initialise every convolution and norm layer of ``module`` in place, reproducibly from ``seed``."""
    generator = torch.Generator().manual_seed(seed)
    for layer in module.modules():
        if isinstance(layer, CONVOLUTIONS):
            weight = torch.empty_like(layer.weight, device="cpu")
            layer.weight.data.copy_(nn.init.normal_(weight, 0.0, 0.02, generator=generator))
        elif isinstance(layer, NORMS) and layer.weight is not None:
            weight = torch.empty_like(layer.weight, device="cpu")
            layer.weight.data.copy_(nn.init.normal_(weight, 1.0, 0.02, generator=generator))
        else:
            continue
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
