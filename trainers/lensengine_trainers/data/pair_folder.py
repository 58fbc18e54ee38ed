"""A pair folder: pix2pix's A|B convention, each file the input face (A, left) beside its target (B, right).

``make_pairs`` fills one from a face folder and a teacher lens; ``PairFolder`` reads one back, checked::

    pairs/
      pairs.json        {"format": "lensengine-pairs/1", "size": 256, "margin": 0.35, "teacher": "...", ...}
      photo1_0.png      2*size wide, size high: A | B
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from lensengine.errors import LensEngineError
from lensengine_trainers.data.face_folder import FaceFolder, write_image
from lensengine_trainers.data.image_size import resize_landmarks, resize_square
from lensengine_trainers.data.teacher import TeacherLens

MANIFEST = "pairs.json"
FORMAT = "lensengine-pairs/1"
PAIRS_HINT = "make it with `lensengine-train make-pairs --out {folder}`"


def make_pairs(
    faces: FaceFolder, teacher: TeacherLens, out_dir: str | Path, batch_size: int = 8, progress: bool = True
) -> int:
    """Run ``teacher`` on every crop of ``faces`` (at its own crop size) and write A|B files; return the count."""
    teacher.check_margin(faces.margin, f"face folder {faces.folder}")
    size = teacher.crop_size
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = {"format": FORMAT, "size": size, "margin": faces.margin, "teacher": teacher.name}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    starts = range(0, len(faces), batch_size)
    for start in tqdm(starts, desc=f"pairs by {teacher.name}", unit="batch", disable=not progress):
        indices = range(start, min(start + batch_size, len(faces)))
        loaded = [faces.load(i) for i in indices]
        crops = np.stack([resize_square(crop, size) for crop, _ in loaded])
        landmarks = np.stack([resize_landmarks(marks, faces.size, size) for _, marks in loaded])
        targets = teacher.apply(crops, landmarks)
        for i, a, b in zip(indices, crops, targets):
            write_image(out_dir / f"{faces.names[i]}.png", np.hstack([a, b]))
    return len(faces)


class PairFolder:
    """Read access to a pair folder: a missing, empty or inconsistent folder is a LensEngineError."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise LensEngineError(f"pair folder {self.folder} does not exist: {PAIRS_HINT.format(folder=folder)}")
        try:
            manifest = json.loads((self.folder / MANIFEST).read_text())
            if manifest["format"] != FORMAT:
                raise ValueError(f"format {manifest['format']!r}")
            self.size = int(manifest["size"])
            self.margin = float(manifest["margin"])
            self.teacher = str(manifest.get("teacher", ""))
        except FileNotFoundError:
            raise LensEngineError(
                f"{self.folder} is not a pair folder (no {MANIFEST}): {PAIRS_HINT.format(folder=folder)}"
            ) from None
        except (ValueError, KeyError, TypeError) as error:
            raise LensEngineError(
                f"{self.folder / MANIFEST} is not a {FORMAT} manifest ({error}): {PAIRS_HINT.format(folder=folder)}"
            ) from None
        self.names = sorted(p.stem for p in self.folder.glob("*.png"))
        if not self.names:
            raise LensEngineError(
                f"pair folder {self.folder} holds no A|B images (*.png): {PAIRS_HINT.format(folder=folder)}"
            )

    def __len__(self) -> int:
        return len(self.names)

    def load(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(A, B), each (size, size, 3) uint8 BGR, of pair ``index``."""
        path = self.folder / f"{self.names[index]}.png"
        image = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
        if image is None or image.shape != (self.size, 2 * self.size, 3):
            found = "unreadable" if image is None else f"{image.shape[1]}x{image.shape[0]}"
            raise LensEngineError(
                f"{path} is {found}, but an A|B pair of size {self.size} is {2 * self.size}x{self.size}: "
                "remove it or make the pairs again"
            )
        return image[:, : self.size], image[:, self.size :]
