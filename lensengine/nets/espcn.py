"""ESPCN super-resolution (Shi et al., "Real-Time Single Image and Video Super-Resolution Using an
Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016).

All convolutions run at low resolution: 5x5 conv (width), 3x3 conv (width / 2), each with Tanh as in
the paper, then a 3x3 conv to ``channels * scale**2`` maps that PixelShuffle rearranges into the
``scale``-times larger image (the sub-pixel convolution).

Knobs:
- ``scale``: 2, 3 or 4.
- ``channels``: image channels (3 for colour, 1 for luminance only).
- ``width``: channels of the first conv (64 in the paper); the second has ``width // 2``. Parameters
  grow with ``width**2``.

Tensors: N x channels x H x W in [0, 1] in, N x channels x (scale*H) x (scale*W) out, nominally in
[0, 1] but not clamped: clamp when converting to pixels.
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.nets.checks import check_image_batch, require_choice, require_int

NET = "ESPCN"


class ESPCN(nn.Module):
    """ESPCN: [0, 1] image in, ``scale``-times larger [0, 1] image out."""

    def __init__(self, scale: int = 2, channels: int = 3, width: int = 64) -> None:
        super().__init__()
        self.config = {
            "scale": require_choice(NET, "scale", scale, (2, 3, 4)),
            "channels": require_int(NET, "channels", channels),
            "width": require_int(NET, "width", width, minimum=2),
        }
        self.model = nn.Sequential(
            nn.Conv2d(channels, width, 5, padding=2),
            nn.Tanh(),
            nn.Conv2d(width, width // 2, 3, padding=1),
            nn.Tanh(),
            nn.Conv2d(width // 2, channels * scale**2, 3, padding=1),
            nn.PixelShuffle(scale),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_image_batch(x, NET, self.config["channels"])
        return self.model(x)
