"""Images between numpy (HxWx3 uint8 BGR) and the networks' tensors (N x 3 x H x W float in [-1, 1])."""

from __future__ import annotations

import torch


def images_to_tensor(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """N x H x W x 3 uint8 -> N x 3 x H x W float32 in [-1, 1] on ``device`` (channel order kept)."""
    images = images.to(device, non_blocking=True)
    return images.permute(0, 3, 1, 2).float().div_(127.5).sub_(1.0)


def tensor_to_images(tensor: torch.Tensor) -> torch.Tensor:
    """N x 3 x H x W in [-1, 1] -> N x H x W x 3 uint8 on the CPU (rounded, clipped)."""
    scaled = (tensor.detach().float().clamp(-1.0, 1.0) + 1.0) * 127.5
    return scaled.round().to(torch.uint8).permute(0, 2, 3, 1).cpu()


def image_grid(columns: list[torch.Tensor], max_rows: int = 4) -> torch.Tensor:
    """3 x H' x W' float RGB in [0, 1] for TensorBoard: one row per sample, one column per tensor (BGR in)."""
    rows = [torch.cat([column[i] for column in columns], dim=2) for i in range(min(max_rows, len(columns[0])))]
    grid = torch.cat(rows, dim=1).detach().float().cpu()
    return ((grid.flip(0) + 1.0) / 2.0).clamp(0.0, 1.0)
