"""Stable face ids: each frame's detections are matched to the tracks of earlier frames by box overlap.

Matching is greedy on intersection-over-union (best pair first) with a gate: a detection that overlaps no track
by at least ``min_iou`` starts a new track with the next id. A track that finds no detection stays alive for
``max_lost`` frames, keeps its id and can be matched again; after that it is dropped. Each track owns a One-Euro
filter, new with each new id, so a face's smoothing never mixes with another face's history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.face.smoothing import OneEuroFilter

DEFAULT_MAX_LOST = 5
DEFAULT_MIN_IOU = 0.3


def iou_matrix(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) intersection-over-union of (x0, y0, x1, y1) boxes."""
    a = np.asarray(boxes_a, np.float64).reshape(-1, 4)[:, None, :]
    b = np.asarray(boxes_b, np.float64).reshape(-1, 4)[None, :, :]
    inter_w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    inter_h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = inter_w * inter_h
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def greedy_matches(iou: np.ndarray, min_iou: float) -> list[tuple[int, int]]:
    """(row, column) pairs taken best-first from an IoU matrix, each row and column at most once, IoU >= gate."""
    iou = np.array(iou, np.float64)
    pairs = []
    while iou.size:
        row, col = np.unravel_index(np.argmax(iou), iou.shape)
        if iou[row, col] < min_iou:
            break
        pairs.append((int(row), int(col)))
        iou[row, :] = -1.0
        iou[:, col] = -1.0
    return pairs


@dataclass
class FaceTrack:
    """One face followed over frames: its id, last detected box, frames since last seen, and its smoother."""

    id: int
    box: np.ndarray
    smoother: OneEuroFilter | None
    lost_frames: int = 0

    def smooth(self, landmarks: np.ndarray, t_seconds: float) -> np.ndarray:
        """This face's landmarks through its own One-Euro filter (unchanged when smoothing is off)."""
        if self.smoother is None:
            return landmarks
        return self.smoother(landmarks, t_seconds)


class FaceIdAssigner:
    """Gives each detection of a frame the id of the face it continues, or a new increasing id."""

    def __init__(
        self,
        max_lost: int = DEFAULT_MAX_LOST,
        min_iou: float = DEFAULT_MIN_IOU,
        make_smoother: Callable[[], OneEuroFilter] | None = OneEuroFilter,
    ):
        if max_lost < 0 or not 0.0 < min_iou <= 1.0:
            raise LensEngineError(
                f"face ids need max_lost >= 0 and 0 < min_iou <= 1 (got {max_lost}, {min_iou}): use e.g. 5 and 0.3"
            )
        self.max_lost = max_lost
        self.min_iou = min_iou
        self.make_smoother = make_smoother
        self.tracks: list[FaceTrack] = []
        self._next_id = 0

    def reset(self) -> None:
        """Forget every track (a new source); ids keep increasing so an old id is never reused."""
        self.tracks = []

    def assign(self, boxes: np.ndarray) -> list[FaceTrack]:
        """The track of each detection box (N, 4), in the same order; updates, ages and drops tracks."""
        boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
        matches = greedy_matches(iou_matrix([t.box for t in self.tracks], boxes), self.min_iou)
        assigned: list[FaceTrack | None] = [None] * len(boxes)
        for track_index, box_index in matches:
            assigned[box_index] = self.tracks[track_index]
        for track in self.tracks:
            track.lost_frames += 1
        for box_index, box in enumerate(boxes):
            track = assigned[box_index]
            if track is None:
                track = FaceTrack(self._next_id, box, self.make_smoother() if self.make_smoother else None)
                self._next_id += 1
                self.tracks.append(track)
                assigned[box_index] = track
            track.box = box
            track.lost_frames = 0
        self.tracks = [t for t in self.tracks if t.lost_frames <= self.max_lost]
        return assigned
