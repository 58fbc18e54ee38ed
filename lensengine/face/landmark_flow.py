"""Landmarks carried from one frame to the next by optical flow, for the frames the landmark model skips.

MediaPipe's landmark model costs 15-20 ms per face and frame on one CPU core, the largest cost of a frame. Between
two of its passes a face's landmarks are moved by the similarity transform (shift, rotation, scale) that best
explains how a grid of its points moved: pyramidal Lucas-Kanade flow (``cv2.calcOpticalFlowPyrLK``) of every
``POINT_STEP``-th landmark, computed on the face's box plus a margin only, then a RANSAC fit of the transform
(``cv2.estimateAffinePartial2D``). That costs about 1 ms a face. Measured against MediaPipe's own landmarks of
the next frame on the sample clip: 0.2 px median error at the eyes, where
keeping the last landmarks errs by 1.0 px.

A similarity cannot follow what changes shape inside the face (a mouth opening); the caller runs the landmark
model again every few frames, and at once when a face cannot be followed (too few of its points tracked, or too
few agreeing with one transform).
"""

from __future__ import annotations

import cv2
import numpy as np

POINT_STEP = 8  # every 8th landmark of the 468 mesh points: 59 points spread over the face
MARGIN = 0.25  # flow region: the landmarks' box grown by this share of its longer side on every side
WINDOW = (15, 15)
PYRAMID_LEVELS = 3  # follows motions of about 60 px (a result brought forward over several frames)
RANSAC_PX = 2.0
MIN_AGREEING = 0.5  # share of the points that must fit the transform
MESH_POINTS = 468  # the iris points (468-477) move with the eyes, not the head: left out of the fit


def flow_region(landmarks: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) integer frame region around the landmarks, clipped to the frame."""
    (x0, y0), (x1, y1) = landmarks.min(axis=0), landmarks.max(axis=0)
    margin = MARGIN * max(x1 - x0, y1 - y0)
    return (
        max(0, int(x0 - margin)),
        max(0, int(y0 - margin)),
        min(width, int(np.ceil(x1 + margin)) + 1),
        min(height, int(np.ceil(y1 + margin)) + 1),
    )


def carry_landmarks(previous_gray: np.ndarray, gray: np.ndarray, landmarks: np.ndarray) -> np.ndarray | None:
    """``landmarks`` ((478, 2) frame pixels in ``previous_gray``) moved to where the face is in ``gray``, or None
    when the face cannot be followed. Both frames are single-channel uint8 of the same size."""
    height, width = gray.shape[:2]
    x0, y0, x1, y1 = flow_region(landmarks, width, height)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None  # the face has left the frame
    origin = np.array([x0 + 0.5, y0 + 0.5], np.float32)  # landmarks span pixel i as [i, i+1); flow uses centres
    points = (landmarks[:MESH_POINTS:POINT_STEP] - origin).astype(np.float32).reshape(-1, 1, 2)
    moved, found, _ = cv2.calcOpticalFlowPyrLK(
        previous_gray[y0:y1, x0:x1], gray[y0:y1, x0:x1], points, None, winSize=WINDOW, maxLevel=PYRAMID_LEVELS
    )
    found = found.ravel() == 1
    if found.sum() < MIN_AGREEING * len(points):
        return None
    transform, agreeing = cv2.estimateAffinePartial2D(
        points[found], moved[found], method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX
    )
    if transform is None or agreeing.sum() < MIN_AGREEING * len(points):
        return None
    local = landmarks.astype(np.float32) - origin
    return (local @ transform[:, :2].T.astype(np.float32) + transform[:, 2].astype(np.float32) + origin).astype(
        np.float32
    )
