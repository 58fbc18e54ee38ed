"""The residual block shared by the CycleGAN ResNet generator and the Johnson style net.

Reflection-pad, 3x3 conv, norm, ReLU, reflection-pad, 3x3 conv, norm, plus the input (He et al.,
CVPR 2016, in the form Johnson et al. and Zhu et al. use). Reflection padding keeps borders free of
the dark rim zero padding leaves in generated images. The convs have no bias: a norm layer follows
each of them.
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.nets.norm import norm_layer


class ReflectResidualBlock(nn.Module):
    """x + conv-norm-ReLU-conv-norm(x), same channels and size in and out."""

    def __init__(self, channels: int, norm: str, instance_affine: bool = False) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=False),
            norm_layer(norm, channels, instance_affine),
            nn.ReLU(),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3, bias=False),
            norm_layer(norm, channels, instance_affine),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)
