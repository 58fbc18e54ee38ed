"""Unpaired training data: a folder holding ``trainA/`` and ``trainB/`` (CycleGAN's layout), any image sizes.

Every image is letterboxed to a square (scaled to fit, the rest padded black, never stretched) at the training
size, then augmented on its own: pix2pix's random zoom-and-crop and a left-right flip (augment.py), drawn
independently for A and B. Step ``k`` pairs A image ``index`` with a B image drawn at random, so the pairs
differ every epoch; both are pure functions of the seed, as the loop requires.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.face.align import DEFAULT_MARGIN
from lensengine_trainers.data.augment import AugmentConfig, finish_face, sample_geometry, warp_image
from lensengine_trainers.data.frame_sources import image_files, read_image

SIDES = ("A", "B")
MANIFEST = "unpaired.json"
LAYOUT_HINT = "put the images of set A in {folder}/trainA/ and those of set B in {folder}/trainB/"


def letterbox(image: np.ndarray, size: int) -> np.ndarray:
    """``image`` scaled to fit a ``size`` square (aspect kept) and centred on black."""
    height, width = image.shape[:2]
    scale = size / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = (
        image if (new_w, new_h) == (width, height) else cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    )
    out = np.zeros((size, size, 3), np.uint8)
    top, left = (size - new_h) // 2, (size - new_w) // 2
    out[top : top + new_h, left : left + new_w] = scaled
    return out


def read_margin(folder: Path) -> float:
    """The aligner margin recorded in ``folder/unpaired.json`` (made by ``cyclegan-data``), else the default."""
    path = folder / MANIFEST
    if not path.is_file():
        return DEFAULT_MARGIN
    try:
        return float(json.loads(path.read_text())["margin"])
    except (ValueError, KeyError, TypeError) as error:
        raise LensEngineError(f"{path} is unreadable ({error}): delete it or make the data again") from None


class UnpairedSamples:
    """Samples {"A": ..., "B": ...} from ``folder/trainA`` and ``folder/trainB``, ``size`` x ``size`` BGR."""

    def __init__(self, folder: str | Path, size: int, augment: AugmentConfig, split: str = "train"):
        self.folder = Path(folder)
        self.size = size
        self.augment = augment
        self.files = {}
        for side in SIDES:
            sub = self.folder / f"{split}{side}"
            files = image_files(sub) if sub.is_dir() else []
            if not files:
                raise LensEngineError(f"{sub} holds no images: {LAYOUT_HINT.format(folder=self.folder)}")
            self.files[side] = files
        self.margin = read_margin(self.folder)

    def __len__(self) -> int:
        return max(len(files) for files in self.files.values())

    def load(self, side: str, index: int) -> np.ndarray:
        """Image ``index`` of set ``side``, letterboxed to the training size, not augmented."""
        path = self.files[side][index]
        image = read_image(path)
        if image is None:
            raise LensEngineError(f"{path} cannot be decoded: remove it or convert it to .png")
        return letterbox(image, self.size)

    def sample(self, index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        indices = {"A": index % len(self.files["A"]), "B": int(rng.integers(len(self.files["B"])))}
        drawn = {}
        for side in SIDES:
            image = self.load(side, indices[side])
            image = warp_image(image, sample_geometry(rng, self.size, self.augment))
            drawn[side] = finish_face(image, rng, self.augment)
        return drawn
