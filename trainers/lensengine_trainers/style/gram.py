"""Gram matrices: the style statistics of Gatys et al. (CVPR 2016), which channel fires together with which."""

from __future__ import annotations

import torch

from lensengine.errors import LensEngineError


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """N x C x H x W feature maps -> N x C x C Gram matrices ``F F^T / (C * H * W)`` (F: C x HW per image).

    Dividing by the number of values (as Johnson et al. do) makes the matrix independent of the image size.
    """
    if features.dim() != 4:
        raise LensEngineError(f"gram_matrix takes N x C x H x W feature maps, got shape {tuple(features.shape)}")
    n, c, h, w = features.shape
    flat = features.reshape(n, c, h * w).float()
    return flat @ flat.transpose(1, 2) / (c * h * w)
