"""Unpaired data made by a teacher lens: shuffled halves, so that no face of set A has its partner in set B.

Each of ``variants`` draws augments a face of the face folder (zoom, rotation, flip, colour: augment.py) and
runs the teacher on it, exactly as ``--on-the-fly-teacher`` does for pix2pix. The draws are then shuffled and
split: the first half gives its input faces to ``trainA/``, the second half its teacher outputs to ``trainB/``.
A CycleGAN trained on them never sees a pair, yet its A -> B output can be scored against the teacher, which
is why this exists: to measure what unpaired training costs against paired training on the same effect.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from lensengine.errors import LensEngineError
from lensengine_trainers.cyclegan.unpaired_folder import MANIFEST
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.data.face_folder import FaceFolder, write_image
from lensengine_trainers.data.teacher import TeacherLens
from lensengine_trainers.data.training_data import TeacherSamples

FORMAT = "lensengine-unpaired/1"


def split_halves(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw numbers 0..count-1, shuffled by ``seed``, cut into the A half and the B half (B gets the odd one)."""
    order = np.random.default_rng([seed, count]).permutation(count)
    return np.sort(order[: count // 2]), np.sort(order[count // 2 :])


def make_unpaired(
    faces: FaceFolder,
    teacher: TeacherLens,
    out_dir: str | Path,
    variants: int,
    size: int,
    augment: AugmentConfig,
    seed: int = 0,
    progress: bool = True,
) -> dict[str, int]:
    """Write ``out_dir/trainA`` and ``out_dir/trainB`` and ``unpaired.json``; returns the image counts."""
    if variants < 2:
        raise LensEngineError(f"--variants must be 2 or more (half go to A, half to B), got {variants}")
    out_dir = Path(out_dir)
    for side in ("A", "B"):
        folder = out_dir / f"train{side}"
        if folder.is_dir() and any(folder.iterdir()):
            raise LensEngineError(f"{folder} is not empty: choose another --out or delete it")
        folder.mkdir(parents=True, exist_ok=True)
    samples = TeacherSamples(faces, teacher, size, augment)
    half_a, _ = split_halves(variants, seed)
    in_a = set(half_a.tolist())
    for draw in tqdm(range(variants), desc=f"unpaired data by {teacher.name}", unit="img", disable=not progress):
        pair = samples.sample(draw % len(faces), np.random.default_rng([seed, draw]))
        side = "A" if draw in in_a else "B"
        write_image(out_dir / f"train{side}" / f"{faces.names[draw % len(faces)]}_{draw:05d}.png", pair[side])
    manifest = {
        "format": FORMAT,
        "margin": faces.margin,
        "size": size,
        "teacher": teacher.name,
        "faces": str(faces.folder.resolve()),
        "variants": variants,
        "seed": seed,
        "augment": asdict(augment),
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return {"A": len(half_a), "B": variants - len(half_a)}
