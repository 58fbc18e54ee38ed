"""Small real image folders for the SR trainer's tests: the offline photos, cut into a training folder (the
astronaut and scikit-image's coffee photo) and a held-out folder (Grace Hopper), no MediaPipe needed."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from lensengine.sources.face_photos import face_photo
from lensengine_trainers.superres.offline_images import natural_image


@pytest.fixture(scope="session")
def train_folder(tmp_path_factory) -> Path:
    """The astronaut's head (192 px) and a halved coffee photo: two real images to cut patches from."""
    folder = tmp_path_factory.mktemp("sr-train")
    cv2.imwrite(str(folder / "astronaut_head.png"), face_photo("astronaut")[10:202, 130:322])
    coffee = natural_image("coffee")
    cv2.imwrite(str(folder / "coffee_half.png"), cv2.resize(coffee, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
    return folder


@pytest.fixture(scope="session")
def heldout_folder(tmp_path_factory) -> Path:
    """Grace Hopper's face, 96 px (area-shrunk), and a 64 x 80 crop of it: held-out images of two sizes."""
    folder = tmp_path_factory.mktemp("sr-heldout")
    face = cv2.resize(face_photo("grace_hopper")[100:380, 130:410], (96, 96), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(folder / "hopper_face.png"), face)
    cv2.imwrite(str(folder / "hopper_eyes.png"), face[10:74, 8:88])
    return folder
