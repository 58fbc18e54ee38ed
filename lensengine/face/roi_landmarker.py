"""478 landmarks of one small face, found by MediaPipe's FaceLandmarker (IMAGE mode) on an enlarged square
region of interest around the face, and mapped back to frame pixels.

A face of 40-150 px is too small for the full-frame pass (short-range detector), but cut out at
``ROI_PER_FACE`` times its size and scaled to ``ROI_SIZE`` pixels it fills about half of the landmarker's input,
where detection is certain. The cut is one ``cv2.warpAffine`` (pixel centres map to pixel centres; parts
outside the frame repeat its edge). MediaPipe's normalised coordinates times the image size are the frame
convention of ``face/tracker`` (pixel i spans [i, i+1)); the mapping back keeps that convention.
"""

from __future__ import annotations

import os

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from lensengine.face.landmark_points import landmarks_in_pixels

ROI_SIZE = 192
ROI_PER_FACE = 2.0
FACES_PER_ROI = 2  # a neighbour's face may show at the edge; the one nearest the centre is kept


def roi_square(box: np.ndarray, scale: float = ROI_PER_FACE) -> tuple[float, float, float]:
    """(centre x, centre y, side) of the square region around a face box: ``scale`` times its longer side."""
    x0, y0, x1, y1 = (float(v) for v in box)
    return (x0 + x1) / 2.0, (y0 + y1) / 2.0, scale * max(x1 - x0, y1 - y0, 1.0)


def roi_to_frame(points: np.ndarray, centre_x: float, centre_y: float, side: float, size: int) -> np.ndarray:
    """Points in the ``size`` px region image (edge convention) -> frame pixels (same convention)."""
    step = side / size
    origin = np.array([centre_x - side / 2.0, centre_y - side / 2.0], np.float32)
    return origin + np.float32(step) * points


def cut_roi(frame_bgr: np.ndarray, centre_x: float, centre_y: float, side: float, size: int) -> np.ndarray:
    """The square region (``side`` frame px centred on the point) scaled to ``size`` x ``size``, BGR."""
    step = side / size
    # region pixel u covers frame [x0 + u*step, x0 + (u+1)*step): its centre is x0 + (u + 0.5)*step - 0.5
    # in pixel-centre coordinates, which is what warpAffine's inverse map takes.
    x0, y0 = centre_x - side / 2.0, centre_y - side / 2.0
    to_frame = np.array([[step, 0.0, x0 + 0.5 * step - 0.5], [0.0, step, y0 + 0.5 * step - 0.5]])
    return cv2.warpAffine(
        frame_bgr,
        to_frame,
        (size, size),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


class RoiLandmarker:
    """Landmarks of the face at the centre of a region of interest. Close it when done."""

    def __init__(self, model_path: str | os.PathLike, min_confidence: float = 0.5, roi_size: int = ROI_SIZE):
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.IMAGE,
            num_faces=FACES_PER_ROI,
            min_face_detection_confidence=min_confidence,
            min_face_presence_confidence=min_confidence,
        )
        self._landmarker = vision.FaceLandmarker.create_from_options(options)
        self.roi_size = roi_size

    def landmarks(self, frame_bgr: np.ndarray, box: np.ndarray) -> np.ndarray | None:
        """(478, 2) float32 frame-pixel landmarks of the face in the region around ``box``, or None if none."""
        centre_x, centre_y, side = roi_square(box)
        region = cut_roi(frame_bgr, centre_x, centre_y, side, self.roi_size)
        rgb = cv2.cvtColor(region, cv2.COLOR_BGR2RGB)
        result = self._landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
        faces = landmarks_in_pixels(result.face_landmarks, self.roi_size, self.roi_size)
        if not len(faces):
            return None
        centre = self.roi_size / 2.0
        offsets = np.linalg.norm(faces.mean(axis=1) - centre, axis=1)
        nearest = faces[int(np.argmin(offsets))]
        return roi_to_frame(nearest, centre_x, centre_y, side, self.roi_size)

    def close(self) -> None:
        """Release MediaPipe's graph. Safe to call twice."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None
