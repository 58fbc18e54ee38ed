"""Face landmarks of single, unrelated images (photos, sampled video frames): MediaPipe in IMAGE mode.

The engine's FaceTracker runs MediaPipe in VIDEO mode, which tracks and smooths across frames; a folder of
photos has no such continuity, so dataset building looks at each image on its own. The model is the same
verified ``face_landmarker.task`` the tracker uses (lensengine.face.model_file.resolve_face_model).
"""

from __future__ import annotations

import weakref

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from lensengine.errors import LensEngineError
from lensengine.face.model_file import resolve_face_model
from lensengine.face.tracker import landmarks_in_pixels


class StillFaceLandmarker:
    """478 landmarks (frame pixels) of up to ``max_faces`` faces per image. Close it (or use ``with``)."""

    def __init__(self, max_faces: int = 1, min_confidence: float = 0.5, model_path: str | None = None):
        if max_faces < 1 or not 0.0 <= min_confidence <= 1.0:
            raise LensEngineError(
                f"max_faces must be >= 1 and the confidence in [0, 1] (got {max_faces}, {min_confidence}): "
                "e.g. --max-faces 1"
            )
        self.model_path = resolve_face_model(model_path)
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.IMAGE,
            num_faces=max_faces,
            min_face_detection_confidence=min_confidence,
            min_face_presence_confidence=min_confidence,
        )
        self._landmarker = vision.FaceLandmarker.create_from_options(options)
        self._close = weakref.finalize(self, self._landmarker.close)

    def landmarks(self, image_bgr: np.ndarray) -> np.ndarray:
        """(N, 478, 2) float32 landmarks in image pixels, largest face first; N is 0 when no face is found."""
        height, width = image_bgr.shape[:2]
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        result = self._landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
        faces = landmarks_in_pixels(result.face_landmarks, width, height)
        spans = (faces.max(axis=1) - faces.min(axis=1)).prod(axis=1)
        return faces[np.argsort(-spans, kind="stable")]

    def close(self) -> None:
        """Release MediaPipe's graph. Safe to call twice."""
        self._close()

    def __enter__(self) -> StillFaceLandmarker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
