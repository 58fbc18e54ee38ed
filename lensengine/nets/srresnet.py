"""SRResNet super-resolution (Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a
Generative Adversarial Network", CVPR 2017: the generator of SRGAN, trained alone with a pixel loss).

9x9 conv and PReLU, ``n_blocks`` residual blocks (3x3 conv, batch norm, PReLU, 3x3 conv, batch norm,
plus the input), a 3x3 conv with batch norm added to the output of the first conv (long skip), then
one x2 stage per factor of two (3x3 conv to ``4 * width`` maps, PixelShuffle(2), PReLU) and a 9x9 conv
to the image. PReLU slopes are per channel.

Knobs:
- ``scale``: 2 or 4 (one or two x2 stages).
- ``channels``: image channels.
- ``width``: feature channels (64 in the paper); parameters grow with ``width**2``.
- ``n_blocks``: residual blocks (16 in the paper); each adds ``2 * (9*width**2 + width) + 5*width``.

Tensors: N x channels x H x W in [0, 1] in, N x channels x (scale*H) x (scale*W) out, nominally in
[0, 1] but not clamped: clamp when converting to pixels.
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.nets.checks import check_image_batch, require_choice, require_int

NET = "SRResNet"
X2_STAGES = {2: 1, 4: 2}  # PixelShuffle(2) stages per scale


class _BNResidualBlock(nn.Module):
    """x + BN(conv(PReLU(BN(conv(x))))), the SRResNet block."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(width, width, 3, padding=1),
            nn.BatchNorm2d(width),
            nn.PReLU(width),
            nn.Conv2d(width, width, 3, padding=1),
            nn.BatchNorm2d(width),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class SRResNet(nn.Module):
    """SRResNet: [0, 1] image in, ``scale``-times larger [0, 1] image out."""

    def __init__(self, scale: int = 4, channels: int = 3, width: int = 64, n_blocks: int = 16) -> None:
        super().__init__()
        self.config = {
            "scale": require_choice(NET, "scale", scale, (2, 4)),
            "channels": require_int(NET, "channels", channels),
            "width": require_int(NET, "width", width),
            "n_blocks": require_int(NET, "n_blocks", n_blocks, minimum=0),
        }
        self.head = nn.Sequential(nn.Conv2d(channels, width, 9, padding=4), nn.PReLU(width))
        self.body = nn.Sequential(
            *(_BNResidualBlock(width) for _ in range(n_blocks)),
            nn.Conv2d(width, width, 3, padding=1),
            nn.BatchNorm2d(width),
        )
        upsample: list[nn.Module] = []
        for _ in range(X2_STAGES[scale]):
            upsample += [
                nn.Conv2d(width, 4 * width, 3, padding=1),
                nn.PixelShuffle(2),
                nn.PReLU(width),
            ]
        self.tail = nn.Sequential(*upsample, nn.Conv2d(width, channels, 9, padding=4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_image_batch(x, NET, self.config["channels"])
        features = self.head(x)
        return self.tail(features + self.body(features))
