"""Start an ESPCN as a bilinear upscaler, so that training only has to learn what bilinear misses.

ESPCN has no skip connection: from a random start it must first learn to copy the image through two tanh layers
before it can improve on interpolation, which takes a small net many thousand steps. Here three channels of each
hidden layer carry the colour channels through (tanh is nearly linear for the small values they get), and the
last convolution reads them with the weights of bilinear interpolation for each sub-pixel position, so the net
starts out within a few 8-bit levels of a bilinear upscale. The other weights keep their random start,
scaled down where they feed the output so they begin as a small correction.
"""

from __future__ import annotations

import numpy as np
import torch

from lensengine.errors import LensEngineError
from lensengine.nets import ESPCN

PASS_GAIN = 0.3  # tanh(0.3 * 0.5) differs from 0.3 * 0.5 by 0.7 %
OTHER_OUTPUT_WEIGHTS = 0.1  # random weights into the output start this much smaller


def bilinear_taps(scale: int, offset: int) -> np.ndarray:
    """Weights on the low-resolution pixels (-1, 0, +1) for high-resolution sub-pixel ``offset`` (0..scale-1).

    Sub-pixel centres sit at low-resolution position ``(offset + 0.5) / scale - 0.5`` (the convention of
    OpenCV's resize and of PixelShuffle).
    """
    position = (offset + 0.5) / scale - 0.5
    taps = np.zeros(3)
    base = int(np.floor(position))
    fraction = position - base
    taps[base + 1] += 1.0 - fraction
    taps[base + 2] += fraction
    return taps


@torch.no_grad()
def start_as_bilinear(net: ESPCN) -> None:
    """Set ``net``'s weights (in place) so that it starts as a bilinear upscaler of its colour channels."""
    conv1, conv2, conv3 = (module for module in net.model if isinstance(module, torch.nn.Conv2d))
    channels, scale = net.config["channels"], net.config["scale"]
    narrowest = min(conv1.out_channels, conv2.out_channels)
    if narrowest < channels:
        raise LensEngineError(
            f"an ESPCN whose narrowest hidden layer has {narrowest} channels cannot start as a bilinear upscaler "
            f"(it carries the {channels} colour channels through): widen the net (--net width=...)"
        )
    conv3.weight.mul_(OTHER_OUTPUT_WEIGHTS)
    gain = 1.0 / float(np.tanh(PASS_GAIN * np.tanh(PASS_GAIN * 0.5)) / 0.5)  # undo both layers' scaling
    for c in range(channels):
        conv1.weight[c].zero_()
        conv1.weight[c, c, 2, 2] = PASS_GAIN  # 5x5 kernel centre
        conv1.bias[c] = -PASS_GAIN * 0.5  # x - 0.5: the small values tanh passes almost unchanged
        conv2.weight[c].zero_()
        conv2.weight[c, c, 1, 1] = PASS_GAIN
        conv2.bias[c] = 0.0
        for row in range(scale):
            for col in range(scale):
                out = c * scale * scale + row * scale + col  # PixelShuffle's channel for this sub-pixel
                kernel = np.outer(bilinear_taps(scale, row), bilinear_taps(scale, col)) * gain
                conv3.weight[out, c] = torch.from_numpy(kernel).to(conv3.weight)
                conv3.bias[out] = 0.5
