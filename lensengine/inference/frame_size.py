"""The size a frame lens's network sees: the frame scaled so its short side is the pack's working size, each
side a multiple of the network's stride, the long side at most twice the short one; then ``frame_pad`` pixels
of reflection on every side, cut off again after the network.

Fixing the short side keeps the cost of a frame lens independent of the camera's resolution; bounding the
aspect ratio gives TensorRT one optimisation profile that covers landscape and portrait frames.

The reflected margin keeps the network's own padding out of the picture: without it a style net (instance norm,
convolutions that pad every layer) drew a dark, coloured frame two or three pixels wide around the picture
(measured on the Grace Hopper photo at 192 x 224 with a Johnson net: the outer 2 px differed from the band
4-8 px inside by 7.9 grey levels on average and the top rows changed by 45 levels from row to row; with 8 px of
reflection 1.2 and 13.5, as the photo itself has 3.5 and 9.0; 4 px made it worse, 16 or 32 px no better).
"""

from __future__ import annotations

import math

MAX_FRAME_ASPECT = 2
TYPICAL_FRAME_ASPECT = 16 / 9
EDGE_PAD = 8  # reflected pixels beyond each edge of a frame lens's input, cut off after the network

# How each architecture's input side must divide (lensengine.nets checks the same in each forward()); the
# defaults are the nets' constructor defaults, used when a pack's config leaves a knob out.
_STRIDE_RULES = {
    "unet": lambda config: 2 ** config.get("num_downs", 8),
    "resnet_generator": lambda config: 2 ** config.get("n_downsampling", 2),
    "johnson": lambda config: 4,
}


def network_stride(arch: str, config: dict) -> int:
    """The number both input sides of network ``arch`` built with ``config`` must be a multiple of."""
    rule = _STRIDE_RULES.get(arch)
    return rule(config) if rule else 1


def round_to_stride(side: float, stride: int) -> int:
    """``side`` rounded to the nearest positive multiple of ``stride`` (halves round up)."""
    return max(stride, math.floor(side / stride + 0.5) * stride)


def frame_work_size(height: int, width: int, short_side: int, stride: int) -> tuple[int, int]:
    """(height, width) a ``height`` x ``width`` frame is resized to before the network."""
    if height < 1 or width < 1:
        raise ValueError(f"frame size must be positive, got {width}x{height}")
    short = round_to_stride(short_side, stride)
    aspect = min(max(height, width) / min(height, width), MAX_FRAME_ASPECT)
    long = min(round_to_stride(short * aspect, stride), short * MAX_FRAME_ASPECT)
    return (short, long) if height <= width else (long, short)


def frame_pad(stride: int) -> int:
    """Pixels of reflection added on every side of a frame lens's input: EDGE_PAD, or 0 for a network whose
    stride does not divide 2 x EDGE_PAD (the padded sides must stay multiples of it)."""
    return EDGE_PAD if (2 * EDGE_PAD) % stride == 0 else 0
