"""Training samples from a pair folder, or from a face folder with a teacher lens run on the fly.

Every source has ``__len__``, ``margin`` and ``sample(index, rng) -> {"A": ..., "B": ...}`` (HxWx3 uint8 BGR at
the training size), a pure function of the index and the generator:

- ``PairSamples`` (classic pix2pix): A|B files; the same augmentation on both sides. A flip is only right when
  the effect is left-right symmetric (turn it off with ``flip=False`` otherwise).
- ``TeacherSamples`` (``--on-the-fly-teacher``, the main mode for teacher-made data): the face crop and its
  landmarks are warped first, then the teacher lens makes B from the warped face, so every pair is exact and
  no two epochs see the same pair.
- ``FaceSamples``: faces only (A), for distillation, where the teacher network makes the target.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from lensengine.errors import LensEngineError
from lensengine_trainers.data.augment import AugmentConfig, augment_face, augment_pair, finish_face, finish_pair
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.image_size import resize_landmarks, resize_square
from lensengine_trainers.data.pair_folder import PairFolder
from lensengine_trainers.data.teacher import TeacherLens, load_teacher


class PairSamples:
    """A|B pairs from a pair folder, resized to ``size`` and augmented alike."""

    def __init__(self, pairs: PairFolder, size: int, augment: AugmentConfig):
        self.pairs, self.size, self.augment = pairs, size, augment
        self.margin = pairs.margin

    def __len__(self) -> int:
        return len(self.pairs)

    def sample(self, index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        a, b = self.pairs.load(index)
        a, b = augment_pair(resize_square(a, self.size), resize_square(b, self.size), rng, self.augment)
        return {"A": a, "B": b}


class TeacherSamples:
    """Face crops warped with their landmarks, then given to a teacher lens; resized to ``size`` at the end."""

    def __init__(self, faces: FaceFolder, teacher: TeacherLens, size: int, augment: AugmentConfig):
        teacher.check_margin(faces.margin, f"face folder {faces.folder}")
        self.faces, self.teacher, self.size, self.augment = faces, teacher, size, augment
        self.margin = faces.margin

    def __len__(self) -> int:
        return len(self.faces)

    def sample(self, index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        crop, landmarks = self.faces.load(index)
        teacher_size = self.teacher.crop_size
        crop = resize_square(crop, teacher_size)
        landmarks = resize_landmarks(landmarks, self.faces.size, teacher_size)
        a, landmarks = augment_face(crop, landmarks, rng, self.augment)
        b = self.teacher.apply(a[None], landmarks[None])[0]
        a, b = finish_pair(resize_square(a, self.size), resize_square(b, self.size), rng, self.augment)
        return {"A": a, "B": b}


class FaceSamples:
    """Face crops alone (A), augmented and resized to ``size``."""

    def __init__(self, faces: FaceFolder, size: int, augment: AugmentConfig):
        self.faces, self.size, self.augment = faces, size, augment
        self.margin = faces.margin

    def __len__(self) -> int:
        return len(self.faces)

    def sample(self, index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        crop, landmarks = self.faces.load(index)
        a, _ = augment_face(crop, landmarks, rng, self.augment)
        return {"A": finish_face(resize_square(a, self.size), rng, self.augment)}


@dataclass
class DataSpec:
    """Where the training data comes from (JSON-able, kept in checkpoints so that a run can resume)."""

    pairs: str | None = None
    faces: str | None = None
    teacher: str | None = None
    augment: AugmentConfig = field(default_factory=AugmentConfig)

    def to_json(self) -> dict:
        return {"pairs": self.pairs, "faces": self.faces, "teacher": self.teacher, "augment": asdict(self.augment)}

    @classmethod
    def from_json(cls, data: dict) -> DataSpec:
        return cls(data.get("pairs"), data.get("faces"), data.get("teacher"), AugmentConfig(**data["augment"]))


def open_samples(spec: DataSpec, size: int):
    """The sample source ``spec`` names, at ``size`` pixels; a bad combination is a LensEngineError."""
    if spec.pairs and spec.faces:
        raise LensEngineError("give either --pairs or --faces, not both")
    if spec.pairs:
        if spec.teacher:
            raise LensEngineError("--on-the-fly-teacher needs --faces (a face folder), not --pairs")
        return PairSamples(PairFolder(Path(spec.pairs)), size, spec.augment)
    if spec.faces:
        faces = FaceFolder(Path(spec.faces))
        if spec.teacher:
            return TeacherSamples(faces, load_teacher(spec.teacher), size, spec.augment)
        return FaceSamples(faces, size, spec.augment)
    raise LensEngineError("no training data: give --pairs DIR, or --faces DIR with --on-the-fly-teacher LENS")


def describe_data(spec: DataSpec, samples) -> dict:
    """What checkpoints and pack provenance record about the data: its source, crop margin and size."""
    return {"source": spec.to_json(), "margin": samples.margin, "count": len(samples)}
