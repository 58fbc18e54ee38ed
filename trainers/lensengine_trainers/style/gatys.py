"""Neural style transfer by optimisation (Gatys, Ecker & Bethge, CVPR 2016), for still images.

The picture itself is optimised: it starts as the content image and Adam moves its pixels to lower the
content loss (VGG19 ``relu4_2`` features of the content image) plus the style loss (Gram matrices of
``relu1_1`` ... ``relu5_1`` of the style image). When no VGG19 ImageNet weights are at hand (none exists
offline) but VGG16 ones are, the same layers of VGG16 are used instead, and the result says so (Johnson et al.,
ECCV 2016, used VGG16 for the same losses). The style image is scaled to the content's working size, so
brush strokes keep their size relative to the picture. Slow (seconds to minutes): for video, train a fast
style net instead (fast_style.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm import tqdm

from lensengine.errors import LensEngineError
from lensengine_trainers.common.tensors import tensor_to_images
from lensengine_trainers.common.vgg import VGGSource, load_vgg, local_imagenet_file, weights_arch
from lensengine_trainers.style.images import fit_long_side, image_tensor
from lensengine_trainers.style.losses import GATYS_CONTENT_LAYER, GATYS_STYLE_LAYERS, LossWeights, PerceptualLoss

DEFAULT_STEPS = 300
DEFAULT_SIZE = 384
DEFAULT_LR = 0.05


@dataclass
class StylizeResult:
    """The stylised BGR image, the losses before and after, and the features that measured them."""

    image: np.ndarray
    vgg: VGGSource
    start_losses: dict[str, float] = field(default_factory=dict)
    end_losses: dict[str, float] = field(default_factory=dict)
    note: str = ""


VGG16_INSTEAD = "no ImageNet VGG19 weights at hand: using the same layers of ImageNet VGG16 (as Johnson et al. did)"


def choose_arch(vgg_weights: str, arch: str = "auto", allow_download: bool = False) -> tuple[str, str]:
    """The VGG to measure Gatys' losses with, and a note when it is VGG16 standing in for VGG19.

    ``arch`` "auto": VGG19 (the paper's) when its ImageNet weights are at hand (or may be downloaded: "imagenet"
    with ``allow_download``) or random weights were asked for; else VGG16 when the weights hold VGG16 or VGG16
    ImageNet weights are at hand; else VGG19 (whose loading then fails with the options).
    """
    if arch != "auto":
        return arch, ""
    held = weights_arch(vgg_weights)
    if held is not None:
        return held, ""
    if vgg_weights == "random" or local_imagenet_file("vgg19") is not None:
        return "vgg19", ""
    if vgg_weights == "imagenet" and allow_download:
        return "vgg19", ""
    if local_imagenet_file("vgg16") is not None:
        return "vgg16", VGG16_INSTEAD
    return "vgg19", ""


def stylize(
    content_bgr: np.ndarray,
    style_bgr: np.ndarray,
    steps: int = DEFAULT_STEPS,
    size: int = DEFAULT_SIZE,
    lr: float = DEFAULT_LR,
    weights: LossWeights = LossWeights(),
    vgg_weights: str = "auto",
    seed: int = 0,
    progress: bool = True,
    arch: str = "auto",
    allow_download: bool = False,
    content_layer: str = GATYS_CONTENT_LAYER,
    style_layers: tuple[str, ...] = GATYS_STYLE_LAYERS,
    style_size: int | None = None,
) -> StylizeResult:
    """``content_bgr`` painted in the style of ``style_bgr``, at ``size`` pixels on its longer side.

    ``vgg_weights`` and ``allow_download`` are :func:`load_vgg`'s; ``arch`` is vgg16, vgg19 or auto
    (see :func:`choose_arch`). The layers default to the paper's; a fast style net's (Johnson et al.) make the
    result the per-picture optimum of that net's own objective (benchmarks/style.py). ``style_size``: the style
    image's longer side (default ``size``, so brush strokes keep their size relative to the picture).
    """
    if steps < 1 or lr <= 0:
        raise LensEngineError(f"--steps must be >= 1 and the learning rate > 0, got {steps} and {lr}")
    device = torch.device("cpu")
    content = image_tensor(fit_long_side(content_bgr, size), device)
    style = image_tensor(fit_long_side(style_bgr, style_size or size), device)
    arch, note = choose_arch(vgg_weights, arch, allow_download)
    if note and progress:
        print(note)
    layers = (content_layer, *style_layers)
    vgg, source = load_vgg(arch, layers, vgg_weights, seed=seed, allow_download=allow_download, progress=progress)
    loss = PerceptualLoss(vgg, style, content_layer, tuple(style_layers), weights)
    target = loss.content_target(content)
    picture = content.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([picture], lr=lr)
    start = end = {}
    with tqdm(range(steps), desc="stylize", unit="step", disable=not progress) as bar:
        for _ in bar:
            losses = loss(picture, target)
            end = {name: value.item() for name, value in losses.items()}
            start = start or end
            optimizer.zero_grad(set_to_none=True)
            losses["total"].backward()
            optimizer.step()
            with torch.no_grad():
                picture.clamp_(-1.0, 1.0)
            bar.set_postfix(content=f"{end['content']:.3f}", style=f"{end['style']:.3f}")
    with torch.no_grad():
        end = {name: value.item() for name, value in loss(picture, target).items()}
    return StylizeResult(tensor_to_images(picture)[0].numpy(), source, start, end, note)
