"""SR training and held-out images from pictures that installed packages ship: no download needed.

    <out>/train/faces/      aligned crops of the astronaut photo (Eileen Collins, NASA, public domain)
    <out>/train/natural/    scikit-image's sample photos (coffee, cat, rocket, motorcycle, camera man, coins,
                            the whole astronaut photo), as they are and halved
    <out>/heldout/          aligned crops of the Grace Hopper photo (US Navy, public domain; matplotlib's
                            sample data), never trained on
    <out>/offline-data.json what was written and from where

Face crops are cut by lensengine.face.align exactly as the engine cuts a lens's crop, at the photo's own
resolution (never enlarged: an enlarged crop is not a sharp target), for a few margins and head rolls; smaller
copies are shrunk from them with area averaging.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.face.align import align_matrix, crop_face
from lensengine.sources.face_photos import face_photo
from lensengine_trainers.data.face_folder import write_image
from lensengine_trainers.data.still_faces import StillFaceLandmarker

TRAIN_PHOTO = "astronaut"
HELDOUT_PHOTO = "grace_hopper"
TRAIN_MARGINS = (0.35, 0.6)
TRAIN_ROLLS = (-10.0, 0.0, 10.0)
TRAIN_SHRINKS = (1.0, 0.8, 0.6)
HELDOUT_MARGINS = (0.35, 0.6)
HELDOUT_ROLLS = (-8.0, 0.0, 8.0)
HELDOUT_SIZE = 256
# skimage.data functions whose images ship inside the scikit-image wheel (checked with scikit-image 0.26).
NATURAL_IMAGES = ("astronaut", "coffee", "chelsea", "rocket", "stereo_motorcycle", "camera", "coins")


def native_crop_side(landmarks: np.ndarray, margin: float) -> float:
    """The side, in photo pixels, of the square the aligner cuts for a face at ``margin``."""
    matrix = align_matrix(landmarks, 256, margin)
    return 256.0 / float(np.hypot(matrix[0, 0], matrix[0, 1]))


def rolled_crop(photo: np.ndarray, landmarks: np.ndarray, size: int, margin: float, roll: float) -> np.ndarray:
    """The aligned ``size`` crop of the face, turned ``roll`` degrees about the crop's centre."""
    turn = cv2.getRotationMatrix2D((size / 2.0, size / 2.0), roll, 1.0)
    matrix = turn @ np.vstack([align_matrix(landmarks, size, margin), [0.0, 0.0, 1.0]])
    return crop_face(photo, matrix, size)


def face_landmarks(photo_name: str, landmarker: StillFaceLandmarker) -> tuple[np.ndarray, np.ndarray]:
    """(photo, landmarks of its largest face)."""
    photo = face_photo(photo_name)
    faces = landmarker.landmarks(photo)
    if len(faces) == 0:
        raise LensEngineError(f"MediaPipe found no face on the {photo_name} photo: check the face model")
    return photo, faces[0]


def natural_image(name: str) -> np.ndarray:
    """A scikit-image sample photo as BGR uint8 (grey expanded, stereo pairs' left view)."""
    from skimage import data

    image = getattr(data, name)()
    image = image[0] if isinstance(image, tuple) else image
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR if image.ndim == 2 else cv2.COLOR_RGB2BGR)


def write_training_faces(folder: Path, photo: np.ndarray, landmarks: np.ndarray) -> list[str]:
    names = []
    for margin in TRAIN_MARGINS:
        native = int(native_crop_side(landmarks, margin))
        for roll in TRAIN_ROLLS:
            crop = rolled_crop(photo, landmarks, native, margin, roll)
            for shrink in TRAIN_SHRINKS:
                side = int(round(native * shrink))
                image = crop if side == native else cv2.resize(crop, (side, side), interpolation=cv2.INTER_AREA)
                name = f"{TRAIN_PHOTO}_m{margin:g}_r{roll:+g}_s{shrink:g}.png"
                write_image(folder / name, image)
                names.append(name)
    return names


def write_natural(folder: Path) -> list[str]:
    names = []
    for source in NATURAL_IMAGES:
        image = natural_image(source)
        half = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_AREA)
        for suffix, version in (("", image), ("_half", half)):
            write_image(folder / f"{source}{suffix}.png", version)
            names.append(f"{source}{suffix}.png")
    return names


def write_heldout(folder: Path, photo: np.ndarray, landmarks: np.ndarray) -> list[str]:
    names = []
    for margin in HELDOUT_MARGINS:
        side = min(HELDOUT_SIZE, int(native_crop_side(landmarks, margin)))
        for roll in HELDOUT_ROLLS:
            name = f"{HELDOUT_PHOTO}_m{margin:g}_r{roll:+g}.png"
            write_image(folder / name, rolled_crop(photo, landmarks, side, margin, roll))
            names.append(name)
    return names


def write_offline_images(out_dir: str | Path) -> dict[str, Path]:
    """Write the training and held-out folders under ``out_dir``; return {"train": ..., "heldout": ...}."""
    out = Path(out_dir)
    folders = {"faces": out / "train" / "faces", "natural": out / "train" / "natural", "heldout": out / "heldout"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    with StillFaceLandmarker() as landmarker:
        train_photo, train_landmarks = face_landmarks(TRAIN_PHOTO, landmarker)
        heldout_photo, heldout_landmarks = face_landmarks(HELDOUT_PHOTO, landmarker)
    written = {
        "faces": write_training_faces(folders["faces"], train_photo, train_landmarks),
        "natural": write_natural(folders["natural"]),
        "heldout": write_heldout(folders["heldout"], heldout_photo, heldout_landmarks),
    }
    record = {
        "train": {
            "faces": f"{TRAIN_PHOTO} photo (skimage.data)",
            "natural": f"skimage.data: {', '.join(NATURAL_IMAGES)}",
        },
        "heldout": f"{HELDOUT_PHOTO} photo (matplotlib sample data), whole photo held out",
        "files": written,
    }
    (out / "offline-data.json").write_text(json.dumps(record, indent=2) + "\n")
    return {"train": out / "train", "heldout": folders["heldout"]}
