"""Face boxes from MediaPipe's short-range face detector run on tiles of a frame, a few tiles per call.

The detector is the one inside ``face_landmarker.task`` (``face_detector.tflite``), read from the bundle in
memory, so no other model file is needed. ``TileFaceDetector.scan(frame)`` looks at the next few tiles of the
frame's tile list (``face/tiles``) and returns the faces found there, in frame pixels; successive calls go round
the list, so one round over the whole frame is spread over several frames and each frame's cost stays bounded
(about 4 ms a tile on a CPU). The first round after a start (or a new frame size) looks at ``tiles_per_call``
tiles a call, so a group is found within a few frames; later rounds, which only catch people who arrive, look at
``later_tiles_per_call`` tiles a call on average, a fraction (one tile every few frames) so that a frame with one
large face pays about 1 ms on average for the search rather than 4.
"""

from __future__ import annotations

import os
import zipfile

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from lensengine.errors import LensEngineError
from lensengine.face.tiles import DEFAULT_TILE_OVERLAP, DEFAULT_TILE_SIZES, overlapping_tiles

DETECTOR_IN_BUNDLE = "face_detector.tflite"
DEFAULT_TILES_PER_CALL = 3
DEFAULT_LATER_TILES_PER_CALL = 0.25  # one tile every 4th frame: 34 tiles, so an arrival is found within ~5 s


def detector_from_bundle(bundle_path: str | os.PathLike, min_confidence: float) -> vision.FaceDetector:
    """MediaPipe's FaceDetector (IMAGE mode) loaded from the detector model inside a face_landmarker.task bundle."""
    try:
        with zipfile.ZipFile(bundle_path) as bundle:
            model = bundle.read(DETECTOR_IN_BUNDLE)
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        raise LensEngineError(f"no {DETECTOR_IN_BUNDLE} in face model {bundle_path} ({error})") from error
    options = vision.FaceDetectorOptions(
        base_options=BaseOptions(model_asset_buffer=model),
        running_mode=vision.RunningMode.IMAGE,
        min_detection_confidence=min_confidence,
    )
    return vision.FaceDetector.create_from_options(options)


class TileFaceDetector:
    """Finds faces tile by tile, going round the frame's tiles a few per call. Close it when done."""

    def __init__(
        self,
        bundle_path: str | os.PathLike,
        min_confidence: float = 0.5,
        tiles_per_call: int = DEFAULT_TILES_PER_CALL,
        later_tiles_per_call: float = DEFAULT_LATER_TILES_PER_CALL,
        tile_sizes: tuple[int, ...] = DEFAULT_TILE_SIZES,
        overlap: float = DEFAULT_TILE_OVERLAP,
    ):
        if (
            tiles_per_call < 1
            or not 0.0 < later_tiles_per_call <= tiles_per_call
            or not tile_sizes
            or min(tile_sizes) < 32
            or not 0.0 <= overlap < 1.0
        ):
            raise LensEngineError(
                "tile search needs tiles_per_call >= 1, 0 < later_tiles_per_call <= tiles_per_call, "
                "tile sizes >= 32 px and 0 <= overlap < 1 "
                f"(got {tiles_per_call}, {later_tiles_per_call}, {tile_sizes}, {overlap}): "
                "e.g. 3, 0.25, (256, 512), 0.25"
            )
        self.tiles_per_call = tiles_per_call
        self.later_tiles_per_call = later_tiles_per_call
        self.tile_sizes = tuple(tile_sizes)
        self.overlap = overlap
        self._detector = detector_from_bundle(bundle_path, min_confidence)
        self._tiles: list[tuple[int, int, int, int]] = []
        self._frame_size: tuple[int, int] | None = None
        self._next_tile = 0
        self._credit = 0.0  # tiles owed to later rounds: later_tiles_per_call accrues each call
        self.rounds_done = 0  # full rounds of the tile list since the start or the last new frame size

    def tiles_for(self, width: int, height: int) -> list[tuple[int, int, int, int]]:
        """This frame size's tiles; a new size starts a new round from the first tile."""
        if self._frame_size != (width, height):
            self._frame_size = (width, height)
            self._tiles = overlapping_tiles(width, height, self.tile_sizes, self.overlap)
            self._next_tile = 0
            self.rounds_done = 0
        return self._tiles

    def detect_in_tile(self, frame_bgr: np.ndarray, tile: tuple[int, int, int, int]) -> np.ndarray:
        """(N, 4) face boxes (x0, y0, x1, y1) found in one tile of the frame, in frame pixels."""
        x0, y0, x1, y1 = tile
        rgb = np.ascontiguousarray(cv2.cvtColor(frame_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2RGB))
        result = self._detector.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb))
        boxes = [
            (x0 + b.origin_x, y0 + b.origin_y, x0 + b.origin_x + b.width, y0 + b.origin_y + b.height)
            for b in (detection.bounding_box for detection in result.detections)
        ]
        return np.array(boxes, np.float64).reshape(-1, 4)

    def scan(self, frame_bgr: np.ndarray) -> np.ndarray:
        """(N, 4) face boxes found in the next few tiles (boxes from overlapping tiles may repeat)."""
        height, width = frame_bgr.shape[:2]
        tiles = self.tiles_for(width, height)
        if self.rounds_done == 0:
            count = self.tiles_per_call
        else:
            self._credit += self.later_tiles_per_call
            count = int(self._credit)
            self._credit -= count
        found = []
        for _ in range(min(count, len(tiles))):
            found.append(self.detect_in_tile(frame_bgr, tiles[self._next_tile]))
            self._next_tile += 1
            if self._next_tile == len(tiles):
                self._next_tile = 0
                self.rounds_done += 1
        return np.concatenate(found) if found else np.zeros((0, 4))

    def restart(self) -> None:
        """Start a new first round (a new source): the next calls look at ``tiles_per_call`` tiles again."""
        self._frame_size = None

    def close(self) -> None:
        """Release MediaPipe's detector. Safe to call twice."""
        if self._detector is not None:
            self._detector.close()
            self._detector = None

    def __enter__(self) -> TileFaceDetector:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
