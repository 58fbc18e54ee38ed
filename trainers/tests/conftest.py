"""Fixtures for the trainers' tests: real face folders cut by MediaPipe from the offline photos, and a small
teacher lens whose marks show where it was told the eyes are."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from lensengine.face.align import LEFT_EYE, RIGHT_EYE
from lensengine.lens import FACE, LensSpec
from lensengine.sources.face_photos import PHOTO_NAMES, face_photo
from lensengine_trainers.data.face_crops import extract_faces
from lensengine_trainers.data.frame_sources import folder_frames
from lensengine_trainers.data.teacher import TeacherLens


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Tiny networks gain nothing from threads, and on a shared machine OpenMP's waiting threads stall them."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def write_photo_variants(folder: Path) -> None:
    """Each offline photo as is, mirrored and shrunk: six real faces in different poses and sizes."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in PHOTO_NAMES:
        photo = face_photo(name)
        cv2.imwrite(str(folder / f"{name}.png"), photo)
        cv2.imwrite(str(folder / f"{name}_mirrored.png"), photo[:, ::-1])
        cv2.imwrite(str(folder / f"{name}_small.jpg"), cv2.resize(photo, None, fx=0.6, fy=0.6))


@pytest.fixture(scope="session")
def photo_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    write_photo_variants(folder)
    return folder


@pytest.fixture(scope="session")
def face_folder(tmp_path_factory, photo_folder) -> Path:
    """Six aligned 64-pixel face crops with landmarks (the engine's default margin)."""
    out = tmp_path_factory.mktemp("faces")
    summary = extract_faces(folder_frames(photo_folder), out, size=64, progress=False)
    assert summary.crops == 6
    return out


class IrisMarker:
    """Face lens: a green square on landmark 468 (the image-left iris), a magenta one on 473."""

    LEFT_COLOUR = (0, 255, 0)
    RIGHT_COLOUR = (255, 0, 255)

    def apply(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        out = crops.copy()
        for crop, points in zip(out, landmarks):
            for index, colour in ((LEFT_EYE, self.LEFT_COLOUR), (RIGHT_EYE, self.RIGHT_COLOUR)):
                x, y = np.rint(points[index]).astype(int)
                cv2.rectangle(crop, (x - 1, y - 1), (x + 1, y + 1), colour, -1)
        return out


@pytest.fixture
def iris_marker():
    """Factory: the marker as a teacher lens for crops of ``crop_size`` cut with ``margin``."""

    def make(crop_size: int = 64, margin: float = 0.35) -> TeacherLens:
        return TeacherLens(LensSpec("iris_marker", FACE, IrisMarker, crop_size=crop_size, margin=margin), IrisMarker())

    return make
