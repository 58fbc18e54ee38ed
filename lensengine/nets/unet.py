"""pix2pix U-Net generator (Isola et al., "Image-to-Image Translation with Conditional Adversarial
Networks", CVPR 2017; the U-Net is Ronneberger et al., MICCAI 2015).

Encoder: ``num_downs`` 4x4 stride-2 convolutions, each but the first preceded by LeakyReLU(0.2) and
each but the first and the innermost followed by a norm layer. Decoder: the mirror image with ReLU and
4x4 stride-2 transposed convolutions; every decoder level but the innermost takes its input
concatenated with the encoder output of the same level (skip connections). The three innermost
decoder blocks carry Dropout(0.5), as in the paper's decoder (CD512-CD512-CD512-C512-...); the output
block ends in Tanh.

Knobs:
- ``in_ch`` / ``out_ch``: channels in and out (3 for BGR images).
- ``ngf``: width of the first level; level ``i`` has ``ngf * min(2**i, 8)`` channels. Parameters and
  compute grow with ``ngf**2``.
- ``num_downs``: levels; the input side must be divisible by ``2**num_downs`` (8 for 256 px crops,
  7 for 128 px: the innermost level is then 1x1). Levels past the fourth are all 8*ngf wide.
- ``norm``: "batch" (pix2pix) or "instance".
- ``dropout``: Dropout(0.5) in the three innermost decoder blocks (identity in eval mode).
- ``alpha``: add an alpha head (attention-mask generators: GANimation, Pumarola et al. ECCV 2018; attention-guided
  CycleGAN, Mejjati et al. NeurIPS 2018). The last transposed convolution then gives ``out_ch + 1`` channels:
  ``out_ch`` colour channels through Tanh and one alpha channel through a sigmoid, written as ``2 * sigmoid - 1``
  so that every output channel is in [-1, 1] and the packs' normalisation maps alpha 0..1 to 0..255 like colour.
  The lens output is ``input * (1 - alpha) + colour * alpha`` (``composite``): where alpha is 0 the input comes
  back exactly. Old (colour-only) weights load unchanged into ``alpha=False`` nets.
- ``coords``: CoordConv input (Liu et al., "An intriguing failing of convolutional neural networks and the
  CoordConv solution", NeurIPS 2018): two channels holding each pixel's x and y in [-1, 1] are appended to the
  image before the first convolution. In an aligned face crop what a lens draws sits at nearly the same place
  in every crop; with its coordinates in hand a small net draws it there crisply instead of finding the place
  from the image alone. The channels are made inside the net, so its input stays the image.

Convolutions followed by a norm layer have no bias (the norm removes it); with batch norm and
ngf 64 the net has 54,414,531 parameters (54.4 M, as the authors' reference code).

Tensors: N x in_ch x H x W in [-1, 1] in, N x out_ch x H x W in [-1, 1] out (N x (out_ch + 1) x H x W with
``alpha``: colour first, alpha last).
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.nets.checks import (
    check_image_batch,
    require_bool,
    require_choice,
    require_int,
)
from lensengine.nets.norm import norm_layer

NET = "UNetGenerator"
DROPOUT_BLOCKS = 3  # innermost decoder blocks with dropout


class ColourAlphaHead(nn.Module):
    """Tanh on the first ``colour_ch`` channels, ``2 * sigmoid - 1`` (alpha 0..1 in [-1, 1]) on the last one."""

    def __init__(self, colour_ch: int) -> None:
        super().__init__()
        self.colour_ch = colour_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        colour, alpha = x[:, : self.colour_ch], x[:, self.colour_ch :]
        return torch.cat([torch.tanh(colour), torch.sigmoid(alpha) * 2.0 - 1.0], dim=1)


def split_colour_alpha(output: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(colour in [-1, 1], alpha in [0, 1]) of an alpha net's N x (C + 1) x H x W output."""
    return output[:, :-1], (output[:, -1:] + 1.0) * 0.5


def composite(source: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """What an alpha net's output shows: ``source * (1 - alpha) + colour * alpha`` (all in [-1, 1])."""
    colour, alpha = split_colour_alpha(output)
    return source + (colour - source) * alpha


def with_coordinates(x: torch.Tensor) -> torch.Tensor:
    """N x C x H x W -> N x (C + 2) x H x W: the image, then each pixel's x and y, from -1 (first) to 1 (last)."""
    n, _, h, w = x.shape
    xs = torch.arange(w, dtype=x.dtype, device=x.device) * (2.0 / max(w - 1, 1)) - 1.0
    ys = torch.arange(h, dtype=x.dtype, device=x.device) * (2.0 / max(h - 1, 1)) - 1.0
    return torch.cat([x, xs.view(1, 1, 1, w).expand(n, 1, h, w), ys.view(1, 1, h, 1).expand(n, 1, h, w)], dim=1)


class UNetGenerator(nn.Module):
    """pix2pix U-Net: [-1, 1] image in, [-1, 1] image of the same size out."""

    def __init__(
        self,
        in_ch: int = 3,
        out_ch: int = 3,
        ngf: int = 64,
        num_downs: int = 8,
        norm: str = "batch",
        dropout: bool = True,
        alpha: bool = False,
        coords: bool = False,
    ) -> None:
        super().__init__()
        self.config = {
            "in_ch": require_int(NET, "in_ch", in_ch),
            "out_ch": require_int(NET, "out_ch", out_ch),
            "ngf": require_int(NET, "ngf", ngf),
            "num_downs": require_int(NET, "num_downs", num_downs, minimum=2),
            "norm": require_choice(NET, "norm", norm, ("batch", "instance")),
            "dropout": require_bool(NET, "dropout", dropout),
            "alpha": require_bool(NET, "alpha", alpha),
            "coords": require_bool(NET, "coords", coords),
        }
        widths = [ngf * min(2**level, 8) for level in range(num_downs)]
        innermost = num_downs - 1
        self.down = nn.ModuleList()
        self.up = nn.ModuleList()
        for level, width in enumerate(widths):
            outermost = level == 0
            down_in = in_ch + 2 * int(coords) if outermost else widths[level - 1]
            down_norm = not outermost and level != innermost
            down = [] if outermost else [nn.LeakyReLU(0.2)]
            down.append(nn.Conv2d(down_in, width, 4, 2, 1, bias=not down_norm))
            if down_norm:
                down.append(norm_layer(norm, width))
            self.down.append(nn.Sequential(*down))

            up_in = width if level == innermost else 2 * width
            up_out = out_ch + int(alpha) if outermost else widths[level - 1]
            up = [nn.ReLU(), nn.ConvTranspose2d(up_in, up_out, 4, 2, 1, bias=outermost)]
            if outermost:
                up.append(ColourAlphaHead(out_ch) if alpha else nn.Tanh())
            else:
                up.append(norm_layer(norm, up_out))
                if dropout and level > innermost - DROPOUT_BLOCKS:
                    up.append(nn.Dropout(0.5))
            self.up.append(nn.Sequential(*up))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        num_downs = self.config["num_downs"]
        check_image_batch(x, NET, self.config["in_ch"], multiple=2**num_downs)
        if self.config["coords"]:
            x = with_coordinates(x)
        skips = []
        for down in self.down:
            x = down(x)
            skips.append(x)
        x = self.up[-1](skips[-1])
        for level in range(num_downs - 2, -1, -1):
            x = self.up[level](torch.cat([skips[level], x], dim=1))
        return x
