"""PSNR and SSIM of uint8 BGR images, the two numbers every super-resolution result is reported with.

- ``psnr``: 10 log10(255^2 / MSE) over all pixels and channels; identical images give +inf.
- ``ssim``: Wang et al. 2004 (IEEE TIP), on the luminance Y (ITU-R BT.601, as the SR literature reports it),
  Gaussian window sigma 1.5 (11 x 11), K1 = 0.01, K2 = 0.03, L = 255, mean of the SSIM map.

Both take ``border``: pixels cut from every edge first, as SR papers do (an upscaler cannot know what lies past
the edge of its input).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from lensengine.errors import LensEngineError

PEAK = 255.0
SSIM_SIGMA = 1.5
SSIM_K1, SSIM_K2 = 0.01, 0.03
# BT.601 luma weights for B, G, R (images are BGR).
LUMA_BGR = np.array([0.114, 0.587, 0.299])


def _pair(a: np.ndarray, b: np.ndarray, border: int) -> tuple[np.ndarray, np.ndarray]:
    """Both images as float64, ``border`` pixels cut from each edge; shapes must match."""
    if a.shape != b.shape:
        raise LensEngineError(f"images to compare differ in shape: {a.shape} and {b.shape}; resize one first")
    if border < 0 or 2 * border >= min(a.shape[:2]):
        raise LensEngineError(f"border {border} leaves nothing of a {a.shape[1]}x{a.shape[0]} image: use a smaller one")
    window = (slice(border, a.shape[0] - border), slice(border, a.shape[1] - border))
    return a[window].astype(np.float64), b[window].astype(np.float64)


def psnr(a: np.ndarray, b: np.ndarray, border: int = 0) -> float:
    """Peak signal-to-noise ratio in dB of two uint8 images of the same shape."""
    x, y = _pair(a, b, border)
    mse = float(np.mean((x - y) ** 2))
    return math.inf if mse == 0.0 else 10.0 * math.log10(PEAK**2 / mse)


def luminance(image: np.ndarray) -> np.ndarray:
    """BT.601 luma (float64, 0..255) of a BGR image; a single-channel image is returned as float64."""
    image = image.astype(np.float64)
    return image if image.ndim == 2 else image @ LUMA_BGR


def ssim(a: np.ndarray, b: np.ndarray, border: int = 0) -> float:
    """Structural similarity of the luminance of two uint8 images (1.0 for identical images)."""
    x, y = _pair(a, b, border)
    x, y = luminance(x), luminance(y)

    def local_mean(image: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(image, (11, 11), SSIM_SIGMA, borderType=cv2.BORDER_REFLECT)

    c1, c2 = (SSIM_K1 * PEAK) ** 2, (SSIM_K2 * PEAK) ** 2
    mu_x, mu_y = local_mean(x), local_mean(y)
    var_x = local_mean(x * x) - mu_x**2
    var_y = local_mean(y * y) - mu_y**2
    cov = local_mean(x * y) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return float(ssim_map.mean())


def bicubic_upscale(images: np.ndarray, scale: int) -> np.ndarray:
    """(N, h, w, 3) or (h, w, 3) uint8 enlarged ``scale`` times with OpenCV's bicubic: the baseline SR must beat."""
    if images.ndim == 3:
        height, width = images.shape[:2]
        return cv2.resize(images, (width * scale, height * scale), interpolation=cv2.INTER_CUBIC)
    return np.stack([bicubic_upscale(image, scale) for image in images])
