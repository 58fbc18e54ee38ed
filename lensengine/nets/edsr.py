"""EDSR super-resolution (Lim et al., "Enhanced Deep Residual Networks for Single Image
Super-Resolution", CVPRW 2017).

SRResNet without batch norm (it removes range flexibility and costs memory): a 3x3 head conv,
``n_blocks`` residual blocks (3x3 conv, ReLU, 3x3 conv, scaled by ``res_scale``, plus the input), a 3x3
conv, a global skip from the head, a PixelShuffle upsampler (one x2 or x3 stage, or two x2 stages for
x4) and a 3x3 conv to the image. The paper subtracts the DIV2K mean colour first; here the input is
taken in [0, 1] as is and the convolution biases absorb the offset.

Knobs:
- ``scale``: 2, 3 or 4.
- ``channels``: image channels.
- ``width``: feature channels (64 for EDSR-baseline, 256 for EDSR); parameters grow with ``width**2``.
- ``n_blocks``: residual blocks (16 baseline, 32 EDSR); each adds ``2 * (9*width**2 + width)``.
- ``res_scale``: factor on each block's residual (1.0 baseline; 0.1 keeps the wide EDSR stable).

Tensors: N x channels x H x W in [0, 1] in, N x channels x (scale*H) x (scale*W) out, nominally in
[0, 1] but not clamped: clamp when converting to pixels.
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.nets.checks import (
    check_image_batch,
    require_choice,
    require_int,
    require_positive_float,
)

NET = "EDSR"


class _ScaledResidualBlock(nn.Module):
    """x + res_scale * conv(ReLU(conv(x))), the EDSR block."""

    def __init__(self, width: int, res_scale: float) -> None:
        super().__init__()
        self.res_scale = res_scale
        self.body = nn.Sequential(
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.res_scale * self.body(x)


def _pixel_shuffle_stages(width: int, scale: int) -> list[nn.Module]:
    """Conv + PixelShuffle stages that enlarge by ``scale``: one stage for 2 and 3, two x2 for 4."""
    factors = [2, 2] if scale == 4 else [scale]
    stages: list[nn.Module] = []
    for factor in factors:
        stages += [nn.Conv2d(width, width * factor**2, 3, padding=1), nn.PixelShuffle(factor)]
    return stages


class EDSR(nn.Module):
    """EDSR: [0, 1] image in, ``scale``-times larger [0, 1] image out."""

    def __init__(
        self,
        scale: int = 2,
        channels: int = 3,
        width: int = 64,
        n_blocks: int = 16,
        res_scale: float = 1.0,
    ) -> None:
        super().__init__()
        self.config = {
            "scale": require_choice(NET, "scale", scale, (2, 3, 4)),
            "channels": require_int(NET, "channels", channels),
            "width": require_int(NET, "width", width),
            "n_blocks": require_int(NET, "n_blocks", n_blocks, minimum=0),
            "res_scale": require_positive_float(NET, "res_scale", res_scale),
        }
        self.head = nn.Conv2d(channels, width, 3, padding=1)
        self.body = nn.Sequential(
            *(_ScaledResidualBlock(width, self.config["res_scale"]) for _ in range(n_blocks)),
            nn.Conv2d(width, width, 3, padding=1),
        )
        self.tail = nn.Sequential(*_pixel_shuffle_stages(width, scale), nn.Conv2d(width, channels, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_image_batch(x, NET, self.config["channels"])
        features = self.head(x)
        return self.tail(features + self.body(features))
