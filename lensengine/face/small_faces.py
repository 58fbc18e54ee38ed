"""Faces too small for the full-frame pass: found by a tile search, then followed in regions of interest.

Each frame, after the full-frame landmarker (``face/tracker``):

1. every small face already followed gets new landmarks from its region of interest (``face/roi_landmarker``),
   centred on its last box; a region whose face the full-frame pass now has (box IoU >= ``DUPLICATE_IOU``), or
   that another region already follows, is dropped; one that finds no face is kept for ``max_lost`` frames
   (the same rule as face ids), then dropped;
2. while fewer than ``max_faces`` faces are followed, the next few tiles of the frame are searched
   (``face/tile_detector``: a quick first round, then a slow background one for people who arrive); a face
   found there whose centre lies in no known face's box becomes a new region, kept if the landmarker finds
   the face in it.

The landmarks returned go, with the full-frame ones, through the same ids and smoothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from lensengine.face.ids import DEFAULT_MAX_LOST, iou_matrix
from lensengine.face.landmark_points import landmark_boxes
from lensengine.face.roi_landmarker import RoiLandmarker
from lensengine.face.tile_detector import DEFAULT_LATER_TILES_PER_CALL, DEFAULT_TILES_PER_CALL, TileFaceDetector

DUPLICATE_IOU = 0.3


@dataclass
class SmallFaceRegion:
    """One small face being followed: its last box in frame pixels and the frames since its face was last seen."""

    box: np.ndarray
    lost_frames: int = 0


def centres_inside(boxes: np.ndarray, containers: np.ndarray) -> np.ndarray:
    """(N,) bool: whether each box's centre lies inside any of the container boxes."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    containers = np.asarray(containers, np.float64).reshape(-1, 4)
    if not len(containers):
        return np.zeros(len(boxes), bool)
    cx = ((boxes[:, 0] + boxes[:, 2]) / 2.0)[:, None]
    cy = ((boxes[:, 1] + boxes[:, 3]) / 2.0)[:, None]
    inside = (containers[None, :, 0] <= cx) & (cx <= containers[None, :, 2])
    inside &= (containers[None, :, 1] <= cy) & (cy <= containers[None, :, 3])
    return inside.any(axis=1)


class SmallFaceTracker:
    """Finds and follows the faces the full-frame pass misses. Close it (or use ``with``) when done."""

    def __init__(
        self,
        model_path: str | os.PathLike,
        min_confidence: float = 0.5,
        max_lost: int = DEFAULT_MAX_LOST,
        tiles_per_frame: int = DEFAULT_TILES_PER_CALL,
        later_tiles_per_frame: float = DEFAULT_LATER_TILES_PER_CALL,
    ):
        self.max_lost = max_lost
        self.tiles = TileFaceDetector(model_path, min_confidence, tiles_per_frame, later_tiles_per_frame)
        try:
            self.landmarker = RoiLandmarker(model_path, min_confidence)
        except BaseException:
            self.tiles.close()
            raise
        self.regions: list[SmallFaceRegion] = []

    def reset(self) -> None:
        """Forget the small faces followed so far; the next frames start a quick round of tiles again."""
        self.regions = []
        self.tiles.restart()

    def follow(self, frame_bgr: np.ndarray, large_boxes: np.ndarray) -> list[np.ndarray]:
        """Landmarks of the followed small faces found again in this frame; ages, hands over and drops regions."""
        found, kept = [], []
        for region in self.regions:
            landmarks = self.landmarker.landmarks(frame_bgr, region.box)
            if landmarks is None:
                region.lost_frames += 1
                if region.lost_frames <= self.max_lost:
                    kept.append(region)
                continue
            box = landmark_boxes(landmarks[None])[0]
            known = np.concatenate([large_boxes, landmark_boxes(np.array(found))]) if found else large_boxes
            if len(known) and iou_matrix(box[None], known).max() >= DUPLICATE_IOU:
                continue  # the full-frame pass, or another region, has this face
            region.box, region.lost_frames = box, 0
            found.append(landmarks)
            kept.append(region)
        self.regions = kept
        return found

    def search(self, frame_bgr: np.ndarray, known_boxes: np.ndarray, room: int) -> list[np.ndarray]:
        """Landmarks of up to ``room`` new faces found in the next tiles, outside every known box."""
        found: list[np.ndarray] = []
        known = np.asarray(known_boxes, np.float64).reshape(-1, 4)
        for box in self.tiles.scan(frame_bgr):
            if len(found) >= room:
                break
            if centres_inside(box[None], known)[0]:
                continue
            landmarks = self.landmarker.landmarks(frame_bgr, box)
            if landmarks is None:
                continue
            face_box = landmark_boxes(landmarks[None])[0]
            if centres_inside(face_box[None], known)[0]:
                continue  # the region's landmarker settled on a face that is already known
            known = np.concatenate([known, face_box[None], box[None]])
            self.regions.append(SmallFaceRegion(face_box))
            found.append(landmarks)
        return found

    def track(self, frame_bgr: np.ndarray, large_landmarks: np.ndarray, max_faces: int) -> np.ndarray:
        """(K, 478, 2) frame-pixel landmarks of the small faces in this frame (none the full-frame pass has)."""
        large_boxes = landmark_boxes(large_landmarks) if len(large_landmarks) else np.zeros((0, 4))
        found = self.follow(frame_bgr, large_boxes)
        room = max_faces - len(large_landmarks) - len(self.regions)
        if room > 0:
            region_boxes = np.array([r.box for r in self.regions]).reshape(-1, 4)
            found += self.search(frame_bgr, np.concatenate([large_boxes, region_boxes]), room)
        return np.array(found, np.float32).reshape(-1, 478, 2)

    def close(self) -> None:
        """Release both MediaPipe graphs. Safe to call twice."""
        self.tiles.close()
        self.landmarker.close()

    def __enter__(self) -> SmallFaceTracker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
