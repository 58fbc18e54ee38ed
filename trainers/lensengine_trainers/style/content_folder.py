"""Content images for training a fast style net: any photos in a folder, cut into random squares.

Each sample scales an image so its short side is ``size`` times a random zoom (1 up to ``zoom``), cuts a random
``size`` square out of it and flips it left-right half of the time. A face folder (extract-faces) works too;
its aligner margin is then recorded, for a style lens that runs on face crops.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.face.align import DEFAULT_MARGIN
from lensengine_trainers.data.face_folder import MANIFEST as FACES_MANIFEST
from lensengine_trainers.data.face_folder import read_manifest
from lensengine_trainers.data.frame_sources import image_files, read_image


class ContentSamples:
    """Random ``size`` x ``size`` BGR crops {"A": ...} of the images under ``folder``."""

    def __init__(self, folder: str | Path, size: int, zoom: float = 1.5):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise LensEngineError(
                f"content folder {self.folder} does not exist: pass --content with a folder of photos"
            )
        self.files = image_files(self.folder)
        if not self.files:
            raise LensEngineError(f"content folder {self.folder} holds no images: put photos (.jpg, .png) in it")
        if size < 16 or not 1.0 <= zoom <= 4.0:
            raise LensEngineError(f"content crops need size >= 16 and zoom in 1..4, got {size} and {zoom}")
        self.size = size
        self.zoom = zoom
        is_faces = (self.folder / FACES_MANIFEST).is_file()
        self.margin = read_manifest(self.folder).margin if is_faces else DEFAULT_MARGIN

    def __len__(self) -> int:
        return len(self.files)

    def sample(self, index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        path = self.files[index]
        image = read_image(path)
        if image is None:
            raise LensEngineError(f"{path} cannot be decoded: remove it or convert it to .png")
        height, width = image.shape[:2]
        scale = self.size * rng.uniform(1.0, self.zoom) / min(height, width)
        new_w, new_h = max(self.size, round(width * scale)), max(self.size, round(height * scale))
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        image = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
        top = int(rng.integers(0, new_h - self.size + 1))
        left = int(rng.integers(0, new_w - self.size + 1))
        crop = image[top : top + self.size, left : left + self.size]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        return {"A": np.ascontiguousarray(crop)}
