"""FSRCNN super-resolution (Dong et al., "Accelerating the Super-Resolution Convolutional Neural
Network", ECCV 2016).

Runs at low resolution and enlarges only at the end: feature extraction (5x5 conv, ``d`` maps),
shrinking (1x1 conv to ``s`` maps), ``m`` 3x3 mapping convs at ``s`` maps, expanding (1x1 conv back to
``d``), each followed by a per-channel PReLU, then a 9x9 transposed conv with stride ``scale`` (the
deconvolution) to the image. Only the deconvolution depends on the scale.

Knobs:
- ``scale``: 2, 3 or 4.
- ``channels``: image channels (3 for colour, 1 for luminance only as in the paper).
- ``d``: feature width (56 in the paper, 32 in FSRCNN-s).
- ``s``: shrunk width of the mapping layers (12 in the paper, 5 in FSRCNN-s).
- ``m``: mapping layers (4 in the paper, 1 in FSRCNN-s); each adds ``9*s*s + 2*s`` parameters.

Tensors: N x channels x H x W in [0, 1] in, N x channels x (scale*H) x (scale*W) out, nominally in
[0, 1] but not clamped: clamp when converting to pixels.
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.nets.checks import check_image_batch, require_choice, require_int

NET = "FSRCNN"


def _conv_prelu(c_in: int, c_out: int, kernel: int) -> list[nn.Module]:
    """Same-size conv followed by a per-channel PReLU."""
    return [nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2), nn.PReLU(c_out)]


class FSRCNN(nn.Module):
    """FSRCNN: [0, 1] image in, ``scale``-times larger [0, 1] image out."""

    def __init__(self, scale: int = 2, channels: int = 3, d: int = 56, s: int = 12, m: int = 4) -> None:
        super().__init__()
        self.config = {
            "scale": require_choice(NET, "scale", scale, (2, 3, 4)),
            "channels": require_int(NET, "channels", channels),
            "d": require_int(NET, "d", d),
            "s": require_int(NET, "s", s),
            "m": require_int(NET, "m", m, minimum=0),
        }
        layers = [*_conv_prelu(channels, d, 5), *_conv_prelu(d, s, 1)]
        for _ in range(m):
            layers += _conv_prelu(s, s, 3)
        layers += _conv_prelu(s, d, 1)
        # (H - 1) * scale - 2 * 4 + 9 + (scale - 1) = scale * H
        layers.append(nn.ConvTranspose2d(d, channels, 9, scale, padding=4, output_padding=scale - 1))
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_image_batch(x, NET, self.config["channels"])
        return self.model(x)
