"""The losses of neural style transfer: content, style (Gram matrices) and total variation.

Content and style losses are *relative* squared errors: per image, the mean squared difference divided by the
mean square of the target, then averaged over the batch. They are then the same size whichever VGG weights
measure them (ImageNet or the seeded random fallback, whose activations are of another scale), so one set of
loss weights serves both; and a batch's loss is the mean of its images' losses, so processes that each take a
slice of the batch (torchrun) make the same update as one process on the whole batch.

- content: features of a deep layer of the output against those of the content image;
- style: Gram matrices of several layers of the output against those of the style image, averaged over the
  layers;
- total variation: the mean absolute difference between neighbouring pixels (Johnson et al. smooth with it).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from lensengine.errors import LensEngineError
from lensengine_trainers.common.vgg import VGGFeatures
from lensengine_trainers.style.gram import gram_matrix

EPSILON = 1e-12
GATYS_CONTENT_LAYER = "relu4_2"
GATYS_STYLE_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
JOHNSON_CONTENT_LAYER = "relu2_2"
JOHNSON_STYLE_LAYERS = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")


def relative_error(value: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """mean((value - target)^2) / mean(target^2) of each image (dimension 0 is the batch), averaged over the
    batch; ``target`` broadcasts over ``value``'s batch."""
    target = target.float()
    per_image = tuple(range(1, value.dim()))
    return (((value.float() - target) ** 2).mean(per_image) / ((target**2).mean(per_image) + EPSILON)).mean()


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between horizontal and between vertical neighbours, summed."""
    horizontal = (images[..., :, 1:] - images[..., :, :-1]).abs().mean()
    vertical = (images[..., 1:, :] - images[..., :-1, :]).abs().mean()
    return horizontal + vertical


@dataclass(frozen=True)
class LossWeights:
    """How much each loss counts in the total."""

    content: float = 1.0
    style: float = 10.0
    tv: float = 0.0

    def __post_init__(self) -> None:
        if min(self.content, self.style, self.tv) < 0 or self.content + self.style == 0:
            raise LensEngineError(
                f"loss weights must be >= 0 with content or style > 0, got {self.content}, {self.style}, {self.tv}"
            )


class PerceptualLoss(nn.Module):
    """Content, style and TV losses of images against one style image, measured by a frozen VGG.

    ``vgg`` must extract ``content_layer`` and every one of ``style_layers``. The style image's Gram matrices
    are computed once, here.
    """

    def __init__(
        self,
        vgg: VGGFeatures,
        style_image: torch.Tensor,
        content_layer: str,
        style_layers: tuple[str, ...],
        weights: LossWeights,
    ) -> None:
        super().__init__()
        missing = [layer for layer in (content_layer, *style_layers) if layer not in vgg.layers]
        if missing:
            raise LensEngineError(f"the VGG extractor was built without layer {missing[0]}: add it to its layers")
        self.vgg = vgg
        self.content_layer = content_layer
        self.style_layers = tuple(style_layers)
        self.weights = weights
        with torch.no_grad():
            features = vgg(style_image)
        for layer in self.style_layers:
            self.register_buffer(f"gram_{layer}", gram_matrix(features[layer]))

    def style_grams(self) -> dict[str, torch.Tensor]:
        """The style image's 1 x C x C Gram matrix per style layer."""
        return {layer: getattr(self, f"gram_{layer}") for layer in self.style_layers}

    @torch.no_grad()
    def content_target(self, content: torch.Tensor) -> torch.Tensor:
        """The content layer's features of ``content`` images (no gradient)."""
        return self.vgg(content)[self.content_layer]

    def forward(self, images: torch.Tensor, content_target: torch.Tensor) -> dict[str, torch.Tensor]:
        """{"content", "style", "tv", "total"} of ``images`` against the content features and the style."""
        features = self.vgg(images)
        content = relative_error(features[self.content_layer], content_target)
        grams = self.style_grams()
        style = sum(relative_error(gram_matrix(features[layer]), grams[layer]) for layer in self.style_layers)
        style = style / len(self.style_layers)
        tv = total_variation(images.float())
        total = self.weights.content * content + self.weights.style * style + self.weights.tv * tv
        return {"content": content, "style": style, "tv": tv, "total": total}
