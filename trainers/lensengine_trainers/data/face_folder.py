"""A face folder: aligned face crops with their landmarks, the dataset every trainer starts from.

Layout::

    faces/
      faces.json        {"format": "lensengine-face-crops/1", "size": 256, "margin": 0.35}
      photo1_0.png      aligned crop, size x size, BGR as OpenCV writes it
      photo1_0.npy      (478, 2) float32 landmarks in crop pixels

Crops are cut by lensengine.face.align (align_matrix + crop_face) exactly as the engine cuts them at run time,
so ``size`` and ``margin`` here must match the lens that is trained or imitated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from lensengine.errors import LensEngineError

MANIFEST = "faces.json"
FORMAT = "lensengine-face-crops/1"
LANDMARKS_SHAPE = (478, 2)
EXTRACT_HINT = "make it with `lensengine-train extract-faces --out {folder}`"


@dataclass(frozen=True)
class CropGeometry:
    """How the crops of a face folder were cut: side in pixels and the aligner's margin."""

    size: int
    margin: float


def read_manifest(folder: Path) -> CropGeometry:
    """The crop geometry recorded in ``folder/faces.json``."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text())
        if manifest["format"] != FORMAT:
            raise ValueError(f"format {manifest['format']!r}")
        return CropGeometry(int(manifest["size"]), float(manifest["margin"]))
    except FileNotFoundError:
        raise LensEngineError(
            f"{folder} is not a face folder (no {MANIFEST}): {EXTRACT_HINT.format(folder=folder)}"
        ) from None
    except (ValueError, KeyError, TypeError) as error:
        raise LensEngineError(
            f"{path} is not a {FORMAT} manifest ({error}): {EXTRACT_HINT.format(folder=folder)}"
        ) from None


def write_manifest(folder: Path, geometry: CropGeometry) -> None:
    """Record ``geometry`` in ``folder``; a folder cut with another size or margin is refused."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / MANIFEST).exists():
        existing = read_manifest(folder)
        if existing != geometry:
            raise LensEngineError(
                f"{folder} already holds crops of size {existing.size}, margin {existing.margin}; "
                f"use another --out folder for size {geometry.size}, margin {geometry.margin}"
            )
        return
    manifest = {"format": FORMAT, "size": geometry.size, "margin": geometry.margin}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def write_image(path: Path, image: np.ndarray) -> None:
    """Write a BGR uint8 image; the format follows the suffix."""
    ok, encoded = cv2.imencode(path.suffix, image)
    if not ok:
        raise LensEngineError(f"OpenCV could not encode {path}: use a .png or .jpg name")
    encoded.tofile(path)


def save_face(folder: Path, name: str, crop: np.ndarray, landmarks: np.ndarray) -> None:
    """Write one crop and its crop-pixel landmarks as ``name.png`` and ``name.npy``."""
    write_image(folder / f"{name}.png", crop)
    np.save(folder / f"{name}.npy", np.asarray(landmarks, np.float32))


class FaceFolder:
    """Read access to a face folder, checked: a missing, empty or inconsistent folder is a LensEngineError."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise LensEngineError(f"face folder {self.folder} does not exist: {EXTRACT_HINT.format(folder=folder)}")
        self.geometry = read_manifest(self.folder)
        crops = {p.stem for p in self.folder.glob("*.png")}
        marks = {p.stem for p in self.folder.glob("*.npy")}
        if not crops:
            raise LensEngineError(
                f"face folder {self.folder} holds no crops (*.png): {EXTRACT_HINT.format(folder=folder)}"
            )
        unpaired = sorted(crops ^ marks)
        if unpaired:
            raise LensEngineError(
                f"face folder {self.folder}: {len(unpaired)} crops lack their landmarks or the reverse "
                f"(first: {unpaired[0]}); every NAME.png needs NAME.npy: delete the strays or extract again"
            )
        self.names = sorted(crops)

    @property
    def size(self) -> int:
        return self.geometry.size

    @property
    def margin(self) -> float:
        return self.geometry.margin

    def __len__(self) -> int:
        return len(self.names)

    def load(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(crop (S, S, 3) uint8 BGR, landmarks (478, 2) float32 crop pixels) of face ``index``."""
        name = self.names[index]
        crop = cv2.imdecode(np.fromfile(self.folder / f"{name}.png", np.uint8), cv2.IMREAD_COLOR)
        if crop is None or crop.shape != (self.size, self.size, 3):
            found = "unreadable" if crop is None else f"{crop.shape[1]}x{crop.shape[0]}"
            raise LensEngineError(
                f"{self.folder / name}.png is {found}, but {MANIFEST} says {self.size}x{self.size}: "
                "extract the folder again"
            )
        landmarks = np.load(self.folder / f"{name}.npy", allow_pickle=False)
        if landmarks.shape != LANDMARKS_SHAPE:
            raise LensEngineError(
                f"{self.folder / name}.npy holds landmarks shaped {landmarks.shape}, expected {LANDMARKS_SHAPE}: "
                "extract the folder again"
            )
        return crop, landmarks.astype(np.float32)
