"""The low-resolution input of a training pair: a sharp patch made to look like what a lens hands over.

At run time the SR net enlarges a lens's output crop. That crop was cut small from the frame by the aligner's
bilinear warp (no low-pass filter first, so some aliasing), a neural lens softens it further, and a webcam adds
noise and compression. One draw, in this order:

1. blur (Gaussian, sigma up to ``blur`` high-resolution pixels, half of the time): a soft lens or camera;
2. downscale by the SR scale with a kernel drawn from ``kernels``: "area" (the box average; at x2 it is
   also what the aligner's bilinear warp gives), "bicubic" and "linear" (OpenCV's, which sample without a
   low-pass filter first, so fine detail aliases);
3. noise (Gaussian, std up to ``noise`` levels, half of the time);
4. JPEG (quality from ``jpeg`` to 95, half of the time; 0 turns it off).

Blur, noise and JPEG are drawn and applied by the shared augmentation code (lensengine_trainers.data.augment).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine_trainers.data.augment import AugmentConfig, apply_degradation, sample_photometric

DOWNSCALE_KERNELS = {"bicubic": cv2.INTER_CUBIC, "linear": cv2.INTER_LINEAR, "area": cv2.INTER_AREA}


@dataclass(frozen=True)
class DegradeConfig:
    """How the low-resolution input is made from a sharp patch (defaults: mild, as a lens's output).

    kernels: downscale kernels to draw from (names of DOWNSCALE_KERNELS).
    blur: largest blur sigma before the downscale, in high-resolution pixels (0: off).
    noise: largest noise std after the downscale, 0..255 levels (0: off).
    jpeg: lowest JPEG quality after the noise (0: off, else 1..95).
    """

    kernels: tuple[str, ...] = ("area", "bicubic")
    blur: float = 0.8
    noise: float = 2.0
    jpeg: int = 80

    def __post_init__(self) -> None:
        object.__setattr__(self, "kernels", tuple(self.kernels))
        unknown = [k for k in self.kernels if k not in DOWNSCALE_KERNELS]
        if not self.kernels or unknown:
            raise LensEngineError(
                f"--kernels {','.join(self.kernels) or '(none)'}: choose from {', '.join(DOWNSCALE_KERNELS)}"
            )
        # The shared augmentation settings check blur, noise and JPEG ranges with the same messages.
        self.augment_config()

    def augment_config(self) -> AugmentConfig:
        """The shared augmentation settings that draw this config's blur, noise and JPEG (geometry off)."""
        return AugmentConfig(zoom=1.0, flip=False, blur=self.blur, noise=self.noise, jpeg=self.jpeg)

    @classmethod
    def clean(cls, kernel: str = "bicubic") -> DegradeConfig:
        """Downscale only: the standard SR benchmark input (held-out scores use it)."""
        return cls(kernels=(kernel,), blur=0.0, noise=0.0, jpeg=0)


def downscale(image: np.ndarray, scale: int, kernel: str) -> np.ndarray:
    """``image`` (H, W, 3) shrunk by ``scale`` with ``kernel``; H and W must be multiples of ``scale``."""
    height, width = image.shape[:2]
    if height % scale or width % scale:
        raise LensEngineError(
            f"a {width}x{height} image cannot be shrunk exactly x{scale}: crop it to a multiple of {scale}"
        )
    return cv2.resize(image, (width // scale, height // scale), interpolation=DOWNSCALE_KERNELS[kernel])


def degrade(image: np.ndarray, scale: int, rng: np.random.Generator, config: DegradeConfig) -> np.ndarray:
    """The low-resolution input (H/scale, W/scale, 3) uint8 for the sharp ``image``, drawn from ``rng``."""
    kernel = config.kernels[int(rng.integers(len(config.kernels)))]
    drawn = sample_photometric(rng, config.augment_config())
    blurred = apply_degradation(image, replace(drawn, noise_std=0.0, jpeg_quality=0))
    small = downscale(blurred, scale, kernel)
    return apply_degradation(small, replace(drawn, blur_sigma=0.0))
