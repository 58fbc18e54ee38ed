"""Training samples for SR: random sharp patches of the images in one or more folders, each with its degraded input.

Any folder of images works: a face folder made by ``lensengine-train extract-faces`` (put first: faces are what
the net will see), photos, or the folder ``lensengine-train superres offline-data`` writes. Images are used at
their own resolution: never enlarged (an enlarged image is not a sharp target). A sample is a pure function of
its index and generator, as the shared loop requires::

    {"A": (p, p, 3) uint8 low-resolution input, "B": (p*scale, p*scale, 3) uint8 sharp target}

The patch is turned by one of the eight flips and quarter turns before it is degraded.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from lensengine.errors import LensEngineError
from lensengine_trainers.data.frame_sources import image_files, read_image
from lensengine_trainers.superres.degrade import DegradeConfig, degrade

DECODED_CACHE = 512  # decoded images kept per source (a 512 x 512 image is 0.75 MB)


def dihedral(image: np.ndarray, which: int) -> np.ndarray:
    """One of the 8 flips and quarter turns of a square or rectangular image (0 leaves it as it is)."""
    turned = np.rot90(image, which % 4)
    return np.ascontiguousarray(turned[:, ::-1] if which >= 4 else turned)


class PatchSamples:
    """Random (degraded input, sharp target) patch pairs from the images under ``folders``."""

    def __init__(self, folders: list[str | Path], scale: int, lr_patch: int, degradation: DegradeConfig):
        if lr_patch < 8:
            raise LensEngineError(f"--lr-patch {lr_patch} is too small: use 32 or more (48 is usual)")
        self.scale, self.lr_patch, self.degradation = scale, lr_patch, degradation
        self.hr_patch = lr_patch * scale
        self.files = [path for folder in folders for path in self._images_in(Path(folder))]
        self._load = lru_cache(maxsize=DECODED_CACHE)(self._decode)

    @staticmethod
    def _images_in(folder: Path) -> list[Path]:
        if not folder.is_dir():
            raise LensEngineError(f"image folder {folder} does not exist: pass --images with a folder of pictures")
        files = image_files(folder)
        if not files:
            raise LensEngineError(f"image folder {folder} holds no images: put photos or face crops in it")
        return files

    def _decode(self, index: int) -> np.ndarray:
        path = self.files[index]
        image = read_image(path)
        if image is None:
            raise LensEngineError(f"{path} cannot be decoded: delete it or convert it to PNG")
        if min(image.shape[:2]) < self.hr_patch:
            raise LensEngineError(
                f"{path} is {image.shape[1]}x{image.shape[0]}, smaller than a {self.hr_patch}-pixel target "
                f"patch: remove it or use a smaller --lr-patch"
            )
        return image

    def __len__(self) -> int:
        return len(self.files)

    def sample(self, index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        image = self._load(index)
        top = int(rng.integers(image.shape[0] - self.hr_patch + 1))
        left = int(rng.integers(image.shape[1] - self.hr_patch + 1))
        target = dihedral(image[top : top + self.hr_patch, left : left + self.hr_patch], int(rng.integers(8)))
        return {"A": degrade(target, self.scale, rng, self.degradation), "B": target}
