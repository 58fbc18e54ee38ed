"""CycleGAN ResNet generator (Zhu et al., "Unpaired Image-to-Image Translation using Cycle-Consistent
Adversarial Networks", ICCV 2017; architecture after Johnson et al., ECCV 2016).

c7s1-ngf, then ``n_downsampling`` stride-2 3x3 convs doubling the width (d128, d256), ``n_blocks``
residual blocks at the bottleneck (R256), ``n_downsampling`` stride-2 transposed convs halving it
(u128, u64), and c7s1-out_ch with Tanh. Every conv but the last is followed by norm and ReLU; 7x7 and
residual convs use reflection padding. Convs followed by a norm layer have no bias (the norm
removes it).

Knobs:
- ``in_ch`` / ``out_ch``: channels in and out.
- ``ngf``: width of the first conv; the bottleneck is ``ngf * 2**n_downsampling`` wide. Parameters grow
  with ``ngf**2`` (ngf 64, 9 blocks: 11.4 M).
- ``n_blocks``: residual blocks (9 for 256 px in the paper, 6 for 128 px).
- ``norm``: "instance" (CycleGAN) or "batch".
- ``n_downsampling``: stride-2 stages; the input side must be divisible by ``2**n_downsampling`` and
  at least twice that (and at least 4: reflection padding needs more pixels than it pads).
- ``alpha``: add an alpha head, as the U-Net's (``lensengine.nets.unet``; attention-mask generators: GANimation,
  Pumarola et al. ECCV 2018; attention-guided CycleGAN, Mejjati et al. NeurIPS 2018; AttentionGAN, Tang et al.
  2019). The last 7x7 conv then gives ``out_ch + 1`` channels: ``out_ch`` colour channels through Tanh and one
  alpha channel as ``2 * sigmoid - 1`` (``ColourAlphaHead``), shown as ``input * (1 - alpha) + colour * alpha``
  (``lensengine.nets.unet.composite``). The head has no parameters and sits where the Tanh was, so colour-only
  weights load unchanged into ``alpha=False`` nets.

Tensors: N x in_ch x H x W in [-1, 1] in, N x out_ch x H x W in [-1, 1] out (N x (out_ch + 1) x H x W with
``alpha``: colour first, alpha last).
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.nets.blocks import ReflectResidualBlock
from lensengine.nets.checks import check_image_batch, require_bool, require_choice, require_int
from lensengine.nets.norm import norm_layer
from lensengine.nets.unet import ColourAlphaHead

NET = "ResnetGenerator"


class ResnetGenerator(nn.Module):
    """CycleGAN generator: [-1, 1] image in, [-1, 1] image of the same size out (colour + alpha with ``alpha``)."""

    def __init__(
        self,
        in_ch: int = 3,
        out_ch: int = 3,
        ngf: int = 64,
        n_blocks: int = 9,
        norm: str = "instance",
        n_downsampling: int = 2,
        alpha: bool = False,
    ) -> None:
        super().__init__()
        self.config = {
            "in_ch": require_int(NET, "in_ch", in_ch),
            "out_ch": require_int(NET, "out_ch", out_ch),
            "ngf": require_int(NET, "ngf", ngf),
            "n_blocks": require_int(NET, "n_blocks", n_blocks, minimum=0),
            "norm": require_choice(NET, "norm", norm, ("instance", "batch")),
            "n_downsampling": require_int(NET, "n_downsampling", n_downsampling, minimum=0),
            "alpha": require_bool(NET, "alpha", alpha),
        }
        layers = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(in_ch, ngf, 7, bias=False),
            norm_layer(norm, ngf),
            nn.ReLU(),
        ]
        width = ngf
        for _ in range(n_downsampling):
            layers += [
                nn.Conv2d(width, 2 * width, 3, stride=2, padding=1, bias=False),
                norm_layer(norm, 2 * width),
                nn.ReLU(),
            ]
            width *= 2
        layers += [ReflectResidualBlock(width, norm) for _ in range(n_blocks)]
        for _ in range(n_downsampling):
            layers += [
                nn.ConvTranspose2d(width, width // 2, 3, stride=2, padding=1, output_padding=1, bias=False),
                norm_layer(norm, width // 2),
                nn.ReLU(),
            ]
            width //= 2
        head = ColourAlphaHead(out_ch) if alpha else nn.Tanh()
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, out_ch + int(alpha), 7), head]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        multiple = 2 ** self.config["n_downsampling"]
        min_size = max(4, 2 * multiple)  # reflection padding needs more pixels than it pads
        check_image_batch(x, NET, self.config["in_ch"], multiple=multiple, min_size=min_size)
        return self.model(x)
