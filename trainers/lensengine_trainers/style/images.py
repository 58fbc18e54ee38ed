"""Reading the images of style transfer and scaling them to a working size."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch

from lensengine.errors import LensEngineError
from lensengine_trainers.common.tensors import images_to_tensor
from lensengine_trainers.data.frame_sources import read_image


def read_style_image(path: str | Path, what: str = "style image") -> np.ndarray:
    """The BGR uint8 image at ``path``; a missing or undecodable file is a LensEngineError."""
    path = Path(path)
    if not path.is_file():
        raise LensEngineError(f"{what} {path} does not exist: give the path of a .jpg or .png file")
    image = read_image(path)
    if image is None:
        raise LensEngineError(f"{what} {path} cannot be decoded: convert it to .png or .jpg")
    return image


def fit_long_side(image: np.ndarray, size: int) -> np.ndarray:
    """``image`` scaled (aspect kept) so that its longer side is ``size`` pixels."""
    if size < 16:
        raise LensEngineError(f"--size {size} is too small: use 64 or more")
    height, width = image.shape[:2]
    scale = size / max(height, width)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if new_size == (width, height):
        return image
    return cv2.resize(image, new_size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)


def image_tensor(image: np.ndarray, device: torch.device) -> torch.Tensor:
    """One H x W x 3 uint8 BGR image -> 1 x 3 x H x W float in [-1, 1] on ``device``."""
    return images_to_tensor(torch.from_numpy(np.ascontiguousarray(image))[None], device)
