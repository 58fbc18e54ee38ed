"""Turning uint8 crops into network input and network output back into uint8 crops, once per batch, vectorised.

Two normalisations exist (the pack's ``normalisation`` field):

- ``"tanh"``: GAN and style nets, input ``x / 127.5 - 1`` in [-1, 1], output ``(y + 1) * 127.5``;
- ``"unit"``: super-resolution nets, input ``x / 255`` in [0, 1], output ``y * 255``.

The numpy pair serves the CPU backends; the torch pair keeps GPU tensors on the device (no host round trip).
Output is rounded to the nearest integer (half to even) and clipped to 0..255; NaN becomes 0 (black).
Packs with ``outputs = "rgba"`` give a fourth channel, alpha, in the same normalisation as the colour
(``lensengine.nets.unet``): the output functions turn any number of channels into as many 8-bit ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from lensengine.errors import LensEngineError

if TYPE_CHECKING:
    import torch

# normalisation -> (scale, offset): network value = pixel * scale + offset
_INPUT_AFFINE = {"tanh": (1.0 / 127.5, -1.0), "unit": (1.0 / 255.0, 0.0)}
# normalisation -> (scale, offset): pixel = network value * scale + offset
_OUTPUT_AFFINE = {"tanh": (127.5, 127.5), "unit": (255.0, 0.0)}


def _affine(table: dict[str, tuple[float, float]], normalisation: str) -> tuple[float, float]:
    try:
        return table[normalisation]
    except KeyError:
        raise LensEngineError(
            f"unknown normalisation {normalisation!r}: the pack's lens.toml must say 'tanh' or 'unit'"
        ) from None


def check_crops(crops: np.ndarray) -> None:
    """Raise LensEngineError unless ``crops`` is an (N, H, W, 3) uint8 array with N >= 1."""
    if not isinstance(crops, np.ndarray) or crops.dtype != np.uint8:
        kind = crops.dtype if isinstance(crops, np.ndarray) else type(crops).__name__
        raise LensEngineError(f"crops must be a uint8 numpy array, got {kind}: convert with .astype(np.uint8)")
    if crops.ndim != 4 or crops.shape[3] != 3 or crops.shape[0] < 1:
        raise LensEngineError(f"crops must have shape (N, H, W, 3) with N >= 1, got {crops.shape}")


def crops_to_input(crops: np.ndarray, normalisation: str, out: np.ndarray | None = None) -> np.ndarray:
    """(N, H, W, 3) uint8 -> (N, 3, H, W) float32 normalised; written into ``out`` when given (same shape)."""
    scale, offset = _affine(_INPUT_AFFINE, normalisation)
    n, h, w, c = crops.shape
    if out is None:
        out = np.empty((n, c, h, w), np.float32)
    np.copyto(out, crops.transpose(0, 3, 1, 2))
    out *= np.float32(scale)
    if offset:
        out += np.float32(offset)
    return out


def output_to_crops(output: np.ndarray, normalisation: str) -> np.ndarray:
    """(N, C, H, W) float network output -> (N, H, W, C) uint8, rounded and clipped (C = 3, or 4 with alpha).
    ``output`` is not changed."""
    scale, offset = _affine(_OUTPUT_AFFINE, normalisation)
    pixels = output.astype(np.float32, copy=True)
    pixels *= np.float32(scale)
    pixels += np.float32(offset)
    np.rint(pixels, out=pixels)
    # fmax/fmin clip to 0..255 and, unlike np.clip, turn NaN into 0.
    np.fmin(np.fmax(pixels, np.float32(0.0), out=pixels), np.float32(255.0), out=pixels)
    planar = pixels.astype(np.uint8)
    crops = np.empty((planar.shape[0], planar.shape[2], planar.shape[3], planar.shape[1]), np.uint8)
    for planes, crop in zip(planar, crops):
        cv2.merge(list(planes), crop)  # interleaves channels ~20x faster than a numpy transpose copy
    return crops


def crops_to_input_torch(crops: torch.Tensor, normalisation: str, dtype: torch.dtype) -> torch.Tensor:
    """(N, H, W, 3) uint8 tensor -> (N, 3, H, W) ``dtype`` tensor, normalised, on the same device.

    The result is in channels_last memory layout, which is what the GPU convolutions prefer; no copy is made
    to reorder the pixels, only the view changes.
    """
    scale, offset = _affine(_INPUT_AFFINE, normalisation)
    return crops.permute(0, 3, 1, 2).to(dtype).mul_(scale).add_(offset)


def output_to_crops_torch(output: torch.Tensor, normalisation: str) -> torch.Tensor:
    """(N, C, H, W) float tensor -> (N, H, W, C) uint8 tensor on the same device, rounded and clipped."""
    import torch

    scale, offset = _affine(_OUTPUT_AFFINE, normalisation)
    pixels = torch.nan_to_num(output.float(), nan=0.0).mul_(scale).add_(offset).round_().clamp_(0.0, 255.0)
    return pixels.permute(0, 2, 3, 1).to(torch.uint8).contiguous()


def swap_rb(images: np.ndarray) -> np.ndarray:
    """BGR <-> RGB of (..., 3) images, or BGRA <-> RGBA of (..., 4) colour + alpha (alpha stays last), as a
    contiguous copy."""
    if images.shape[-1] == 4:
        return np.ascontiguousarray(images[..., [2, 1, 0, 3]])
    return np.ascontiguousarray(images[..., ::-1])


def run_in_batches(run, crops: np.ndarray, max_batch: int) -> np.ndarray:
    """``run`` (a batch -> batch function) over ``crops`` in chunks of at most ``max_batch``, joined again."""
    chunks = [run(crops[i : i + max_batch]) for i in range(0, len(crops), max_batch)]
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
