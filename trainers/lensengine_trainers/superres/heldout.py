"""Held-out scores: PSNR and SSIM of an upscaler against plain bicubic on images it never trained on.

Each held-out image is cut to a multiple of the scale, shrunk (no blur, noise or JPEG) with ``kernel``, enlarged
again by the upscaler and by OpenCV's bicubic, and both are compared with the original. Scores are means over
the images, with ``scale`` pixels cut from every edge.

The default shrink is "area", the box average: the anti-aliased shrink SR benchmarks assume, and at x2 exactly
what the aligner's bilinear warp does when it cuts a crop at half the size. "bicubic" (OpenCV's, which does not
low-pass first) keeps aliased detail that no upscaler can recover; scores with it are lower for every net.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from lensengine.errors import LensEngineError
from lensengine_trainers.data.frame_sources import image_files, read_image
from lensengine_trainers.superres.degrade import downscale
from lensengine_trainers.superres.metrics import bicubic_upscale, psnr, ssim

# (N, h, w, 3) uint8 BGR -> (N, h*scale, w*scale, 3) uint8 BGR
Upscaler = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class HeldOutScores:
    """Mean PSNR (dB) and SSIM of the upscaler and of bicubic on the held-out images."""

    psnr: float
    ssim: float
    bicubic_psnr: float
    bicubic_ssim: float
    images: int

    @property
    def psnr_gain(self) -> float:
        """How many dB the upscaler beats bicubic by."""
        return self.psnr - self.bicubic_psnr

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "psnr_gain": self.psnr_gain}


class HeldOutSet:
    """Sharp images and their bicubic-shrunk inputs at one scale."""

    def __init__(self, targets: list[np.ndarray], scale: int, description: str, kernel: str = "area"):
        if not targets:
            raise LensEngineError(f"the held-out set {description} holds no images: give --heldout a folder of them")
        self.scale, self.description, self.kernel = scale, description, kernel
        self.targets = [_cut_to_multiple(image, scale) for image in targets]
        self.inputs = [downscale(image, scale, kernel) for image in self.targets]

    @classmethod
    def from_folder(cls, folder: str | Path, scale: int, kernel: str = "area") -> HeldOutSet:
        """Every image under ``folder`` (unreadable files are an error: a score must not skip images silently)."""
        folder = Path(folder)
        if not folder.is_dir():
            raise LensEngineError(f"held-out folder {folder} does not exist: pass --heldout with a folder of images")
        targets = []
        for path in image_files(folder):
            image = read_image(path)
            if image is None:
                raise LensEngineError(f"held-out image {path} cannot be decoded: delete or convert it")
            targets.append(image)
        return cls(targets, scale, str(folder), kernel)

    def __len__(self) -> int:
        return len(self.targets)

    def evaluate(self, upscale: Upscaler) -> HeldOutScores:
        """Scores of ``upscale`` (one image at a time, as images may differ in size) and of bicubic."""
        border = self.scale
        sr, bicubic = [], []
        for small, target in zip(self.inputs, self.targets):
            enlarged = upscale(small[None])[0]
            if enlarged.shape != target.shape:
                raise LensEngineError(
                    f"the upscaler turned {small.shape[1]}x{small.shape[0]} into {enlarged.shape[1]}x"
                    f"{enlarged.shape[0]}, expected {target.shape[1]}x{target.shape[0]} (x{self.scale})"
                )
            baseline = bicubic_upscale(small, self.scale)
            sr.append((psnr(enlarged, target, border), ssim(enlarged, target, border)))
            bicubic.append((psnr(baseline, target, border), ssim(baseline, target, border)))
        (sr_psnr, sr_ssim), (bi_psnr, bi_ssim) = np.mean(sr, axis=0), np.mean(bicubic, axis=0)
        return HeldOutScores(float(sr_psnr), float(sr_ssim), float(bi_psnr), float(bi_ssim), len(self))


def _cut_to_multiple(image: np.ndarray, scale: int) -> np.ndarray:
    height, width = image.shape[:2]
    return image[: height - height % scale, : width - width % scale]
