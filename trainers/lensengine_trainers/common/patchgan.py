"""PatchGAN discriminator (Isola et al., "Image-to-Image Translation with Conditional Adversarial
Networks", CVPR 2017; also CycleGAN's discriminator).

A stack of 4x4 convolutions with LeakyReLU(0.2): ``n_layers`` stride-2 convs (the first without norm),
one stride-1 conv, then a stride-1 conv to one channel. Each output value scores one patch of the
input as real or fake (raw logits: pair it with BCEWithLogits or a least-squares loss). The patch is
the receptive field, 70x70 at ``n_layers=3`` (see :func:`receptive_field`); a 256x256 input gives a
30x30 grid.

Knobs:
- ``in_ch``: input channels: 3 for an image (CycleGAN), 6 for conditional pix2pix (input and output
  concatenated on the channel axis).
- ``ndf``: width of the first conv; layer ``i`` is ``ndf * min(2**i, 8)`` wide. Parameters grow with
  ``ndf**2`` (ndf 64, 3 layers, 6 channels, batch norm: 2.77 M).
- ``n_layers``: stride-2 convs; more layers see larger patches (1: 16 px, 3: 70 px, 5: 286 px) and
  need inputs of at least ``3 * 2**n_layers`` pixels.
- ``norm``: "batch" (pix2pix), "instance" (CycleGAN) or "none" (for gradient-penalty losses).

Tensors: N x in_ch x H x W in [-1, 1] in, N x 1 x h x w logits out.
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.nets.checks import check_image_batch, require_choice, require_int
from lensengine.nets.norm import NORMS, has_norm, norm_layer

NET = "PatchDiscriminator"
KERNEL = 4


def conv_strides(n_layers: int) -> list[int]:
    """Strides of the discriminator's convolutions in order: n_layers of 2, then two of 1."""
    return [2] * n_layers + [1, 1]


def receptive_field(n_layers: int) -> int:
    """Side in input pixels of the patch one output value sees (70 for n_layers=3)."""
    field = 1
    for stride in reversed(conv_strides(n_layers)):
        field = (field - 1) * stride + KERNEL
    return field


def min_input_size(n_layers: int) -> int:
    """Smallest input side that yields a 1x1 output grid."""
    return 3 * 2**n_layers


class PatchDiscriminator(nn.Module):
    """PatchGAN: image (or image pair) in, a grid of real/fake logits out."""

    def __init__(self, in_ch: int = 3, ndf: int = 64, n_layers: int = 3, norm: str = "batch") -> None:
        super().__init__()
        self.config = {
            "in_ch": require_int(NET, "in_ch", in_ch),
            "ndf": require_int(NET, "ndf", ndf),
            "n_layers": require_int(NET, "n_layers", n_layers),
            "norm": require_choice(NET, "norm", norm, NORMS),
        }
        strides = conv_strides(n_layers)
        widths = [ndf * min(2**i, 8) for i in range(len(strides) - 1)] + [1]
        layers: list[nn.Module] = []
        previous = in_ch
        for i, (stride, width) in enumerate(zip(strides, widths)):
            first, last = i == 0, i == len(strides) - 1
            normed = not first and not last and has_norm(norm)
            layers.append(nn.Conv2d(previous, width, KERNEL, stride, padding=1, bias=not normed))
            if normed:
                layers.append(norm_layer(norm, width))
            if not last:
                layers.append(nn.LeakyReLU(0.2))
            previous = width
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n_layers = self.config["n_layers"]
        check_image_batch(x, NET, self.config["in_ch"], min_size=min_input_size(n_layers))
        return self.model(x)
