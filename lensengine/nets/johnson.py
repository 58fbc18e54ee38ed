"""Fast style transfer network (Johnson et al., "Perceptual Losses for Real-Time Style Transfer and
Super-Resolution", ECCV 2016), with instance norm (Ulyanov et al., 2016) and resize-convolution
upsampling (Odena et al., "Deconvolution and Checkerboard Artifacts", Distill 2016).

9x9 conv (width), two stride-2 3x3 convs (2*width, 4*width), ``n_res`` residual blocks, two stages of
nearest x2 upsampling + 3x3 conv (2*width, width), 9x9 conv to 3 channels and Tanh (``outer_kernel`` sets the
side of the two full-resolution convs, 9 in the paper). Every conv but the
last is followed by norm and ReLU; all convs use reflection padding. Upsampling by resize + conv
instead of transposed convs avoids checkerboard artifacts.

Knobs:
- ``width``: channels of the first conv (32 in the paper); parameters grow with ``width**2``.
- ``n_res``: residual blocks at quarter resolution (5 in the paper).
- ``outer_kernel``: side of the first and last conv (odd; 9 in the paper). They run at full resolution with
  few channels, which CPU convolution kernels handle badly: with width 8 at 192x352 on 2 cores (ONNX Runtime)
  the two 9x9 convs took 10.6 of the net's 21.8 ms; 3x3 ones are what makes a 1280x720 frame lens fit 15 ms.
- ``norm``: "instance" (affine: learned scale and shift; the usual choice for style) or "batch" (the
  paper's original).

Tensors: N x 3 x H x W in [-1, 1] in, N x 3 x H x W in [-1, 1] out (Tanh), the same convention as the
GAN generators. H and W must be divisible by 4 and at least 8.
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.nets.blocks import ReflectResidualBlock
from lensengine.nets.checks import check_image_batch, require_choice, require_int
from lensengine.nets.norm import norm_layer

NET = "TransformerNet"
CHANNELS = 3


def _conv_norm_relu(c_in: int, c_out: int, kernel: int, stride: int, norm: str) -> list[nn.Module]:
    """Reflection-padded conv (no bias: the norm removes it), affine norm, ReLU."""
    return [
        nn.ReflectionPad2d(kernel // 2),
        nn.Conv2d(c_in, c_out, kernel, stride, bias=False),
        norm_layer(norm, c_out, instance_affine=True),
        nn.ReLU(),
    ]


class TransformerNet(nn.Module):
    """Johnson style net: [-1, 1] image in, stylised [-1, 1] image of the same size out."""

    def __init__(self, width: int = 32, n_res: int = 5, norm: str = "instance", outer_kernel: int = 9) -> None:
        super().__init__()
        self.config = {
            "width": require_int(NET, "width", width),
            "n_res": require_int(NET, "n_res", n_res, minimum=0),
            "norm": require_choice(NET, "norm", norm, ("instance", "batch")),
            "outer_kernel": require_choice(NET, "outer_kernel", outer_kernel, (1, 3, 5, 7, 9)),
        }
        layers = [
            *_conv_norm_relu(CHANNELS, width, outer_kernel, 1, norm),
            *_conv_norm_relu(width, 2 * width, 3, 2, norm),
            *_conv_norm_relu(2 * width, 4 * width, 3, 2, norm),
            *(ReflectResidualBlock(4 * width, norm, instance_affine=True) for _ in range(n_res)),
            nn.Upsample(scale_factor=2, mode="nearest"),
            *_conv_norm_relu(4 * width, 2 * width, 3, 1, norm),
            nn.Upsample(scale_factor=2, mode="nearest"),
            *_conv_norm_relu(2 * width, width, 3, 1, norm),
            nn.ReflectionPad2d(outer_kernel // 2),
            nn.Conv2d(width, CHANNELS, outer_kernel),
            nn.Tanh(),
        ]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_image_batch(x, NET, CHANNELS, multiple=4, min_size=8)
        return self.model(x)
