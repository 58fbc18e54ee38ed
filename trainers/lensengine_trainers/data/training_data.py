"""Training samples from a pair folder, or from a face folder with a teacher lens run on the fly.

Every source has ``__len__``, ``margin`` and ``sample(index, rng) -> {"A": ..., "B": ...}`` (HxWx3 uint8 BGR at
the training size), a pure function of the index and the generator:

- ``PairSamples`` (classic pix2pix): A|B files; the same augmentation on both sides. A flip is only right when
  the effect is left-right symmetric (turn it off with ``flip=False`` otherwise).
- ``TeacherSamples`` (``--on-the-fly-teacher``, the main mode for teacher-made data): the face crop and its
  landmarks are warped and recoloured first, then the teacher lens makes B from that face, so every pair is
  exact (the teacher draws its own colours on the recoloured face) and no two epochs see the same pair. A
  teacher that returns colour + alpha (``lensengine.lens.FaceLens``) gives B a fourth channel, its alpha, for
  nets with an alpha head; B's colour is then the teacher's drawing over A as the network gets it (blur, noise and
  JPEG included): what the lens does not draw, it leaves exactly as it is.
- ``FaceSamples``: faces only (A), for distillation, where the teacher network makes the target.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from lensengine.errors import LensEngineError
from lensengine_trainers.data.augment import (
    AugmentConfig,
    apply_colour,
    augment_face,
    augment_pair,
    degrade_sides,
    finish_face,
    sample_photometric,
)
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
    """Face crops warped with their landmarks, then given to a teacher lens; resized to ``size`` at the end.

    The teacher draws at its own crop size (as the engine runs it), or at ``teacher_size`` when given: a lens that
    works at any size (``thug_glasses_classic``) drawing at the training size gives crisp targets, where drawing at
    256 and shrinking to 128 softens every pixel-art edge. With ``alpha`` (for nets with an alpha head) and a
    teacher that returns colour + alpha, B gets the alpha as a fourth channel; otherwise B is what the teacher
    shows, 3 channels.
    """

    def __init__(
        self,
        faces: FaceFolder,
        teacher: TeacherLens,
        size: int,
        augment: AugmentConfig,
        teacher_size: int | None = None,
        alpha: bool = False,
    ):
        teacher.check_margin(faces.margin, f"face folder {faces.folder}")
        self.faces, self.teacher, self.size, self.augment = faces, teacher, size, augment
        self.teacher_size = teacher_size or teacher.crop_size
        self.alpha = alpha
        self.margin = faces.margin

    def __len__(self) -> int:
        return len(self.faces)

    def sample(self, index: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        crop, landmarks = self.faces.load(index)
        teacher_size = self.teacher_size
        crop = resize_square(crop, teacher_size)
        landmarks = resize_landmarks(landmarks, self.faces.size, teacher_size)
        a, landmarks = augment_face(crop, landmarks, rng, self.augment)
        params = sample_photometric(rng, self.augment)
        a = apply_colour(a, params)
        b, alpha = self.teacher.apply_with_alpha(a[None], landmarks[None])
        clean = resize_square(a, self.size)
        a, b = degrade_sides(clean, resize_square(b[0], self.size), params, self.augment)
        if alpha is not None and self.alpha:
            alpha = resize_square(alpha[0], self.size)
            if "B" not in self.augment.degrade:
                # A composited lens leaves what it does not draw as it is: the input's degradation stays in the
                # target wherever the teacher does not draw (in proportion, on the drawing's soft edge).
                keep = 1.0 - alpha[..., None].astype(np.float32) / 255.0
                change = a.astype(np.float32) - clean.astype(np.float32)
                b = np.clip(np.rint(b + change * keep), 0, 255).astype(np.uint8)
            b = np.dstack([b, alpha])
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
    teacher_size: int | None = None  # None: the teacher draws at its own crop size

    def to_json(self) -> dict:
        data = {"pairs": self.pairs, "faces": self.faces, "teacher": self.teacher, "augment": asdict(self.augment)}
        if self.teacher_size is not None:
            data["teacher_size"] = self.teacher_size
        return data

    @classmethod
    def from_json(cls, data: dict) -> DataSpec:
        augment = AugmentConfig(**data["augment"])
        return cls(data.get("pairs"), data.get("faces"), data.get("teacher"), augment, data.get("teacher_size"))


def open_samples(spec: DataSpec, size: int, alpha: bool = False):
    """The sample source ``spec`` names, at ``size`` pixels; a bad combination is a LensEngineError. With ``alpha``,
    an on-the-fly teacher that returns colour + alpha hands its alpha over as B's fourth channel."""
    if spec.pairs and spec.faces:
        raise LensEngineError("give either --pairs or --faces, not both")
    if spec.pairs:
        if spec.teacher:
            raise LensEngineError("--on-the-fly-teacher needs --faces (a face folder), not --pairs")
        return PairSamples(PairFolder(Path(spec.pairs)), size, spec.augment)
    if spec.faces:
        faces = FaceFolder(Path(spec.faces))
        if spec.teacher:
            return TeacherSamples(faces, load_teacher(spec.teacher), size, spec.augment, spec.teacher_size, alpha)
        return FaceSamples(faces, size, spec.augment)
    raise LensEngineError("no training data: give --pairs DIR, or --faces DIR with --on-the-fly-teacher LENS")


def describe_data(spec: DataSpec, samples) -> dict:
    """What checkpoints and pack provenance record about the data: its source, crop margin and size."""
    return {"source": spec.to_json(), "margin": samples.margin, "count": len(samples)}
