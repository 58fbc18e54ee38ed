"""The pool of past fakes that CycleGAN's discriminators learn from (Shrivastava et al., CVPR 2017).

Until the pool holds ``size`` images, every new fake is stored and passed on. After that, each new fake is,
with probability 1/2, swapped for a random stored one (the stored one goes to the discriminator, the new one
takes its place), and otherwise passed on as it is. The discriminator so sees a history of the generator's
outputs, which damps oscillation. Size 0 turns the pool off.

The pool is an nn.Module whose images and fill count are buffers, so a checkpoint keeps it and a resumed run
draws the same past fakes as an unbroken one. Its random draws come from torch's global generator, which the
training loop seeds at every step.
"""

from __future__ import annotations

import torch
from torch import nn

from lensengine.errors import LensEngineError

SWAP_PROBABILITY = 0.5


class ImagePool(nn.Module):
    """Up to ``size`` past images of shape 3 x ``side`` x ``side``."""

    def __init__(self, size: int, side: int) -> None:
        super().__init__()
        if size < 0:
            raise LensEngineError(f"--pool-size must be 0 or more, got {size}")
        self.size = size
        self.register_buffer("images", torch.zeros(size, 3, side, side))
        self.register_buffer("count", torch.zeros((), dtype=torch.int64))

    def query(self, images: torch.Tensor) -> torch.Tensor:
        """The batch the discriminator sees for the new ``images`` (N x 3 x side x side, detached)."""
        images = images.detach()
        if self.size == 0:
            return images
        if images.shape[1:] != self.images.shape[1:]:
            raise LensEngineError(
                f"the fake pool holds {tuple(self.images.shape[1:])} images, got {tuple(images.shape[1:])}"
            )
        out = []
        for image in images:
            filled = int(self.count)
            if filled < self.size:
                self.images[filled] = image.to(self.images.dtype)
                self.count += 1
                out.append(image)
            elif torch.rand(()) < SWAP_PROBABILITY:
                slot = int(torch.randint(0, self.size, ()))
                out.append(self.images[slot].clone().to(image.dtype))
                self.images[slot] = image.to(self.images.dtype)
            else:
                out.append(image)
        return torch.stack(out)
