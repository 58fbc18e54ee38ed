"""Face tracking: MediaPipe FaceLandmarker (VIDEO mode) -> stable ids -> One-Euro smoothed landmarks.

``FaceTracker.track(frame_bgr, timestamp_ms)`` returns one ``Face`` per face in the frame, sorted by id, with
478 landmarks in frame pixels. Frames are BGR everywhere in the engine; the RGB copy MediaPipe needs is made
here only. MediaPipe gives landmarks normalised to [0, 1] (x by width, y by height); they are scaled by the full
frame's size, so a frame shrunk before detection needs no other correction.

Shrinking: MediaPipe's models run at fixed sizes (128-pixel detector, 256-pixel face crop), so on a CPU its cost
barely grows up to 1080p (about 9-11 ms from 640x480 to 1920x1080) while shrinking costs 0.5-1 px of landmark
accuracy; at 4K it costs about twice as much. Frames longer than 1280 px are therefore detected at 1280.

Skipping: the landmark model costs 15-20 ms per face on one core. With ``landmarks_every=N`` it runs on one frame
in N; on the others each face's landmarks of the frame before are carried by optical flow (``landmark_flow``,
about 1 ms a face). A face that cannot be followed, or a frame without faces, runs the model at once. New faces
are found on the frames the model runs (MediaPipe's detector runs with it, as does the small-face search). Where
the model runs, its landmarks are averaged with the carried ones (``fuse_with_carried``): with half as many
measurements a second, that keeps the smoothed landmarks' jitter where it is with the model on every frame.

Real time (``background=True``): the model runs in a thread of its own (``face/background_landmarks``) on the
newest frame it can take, at most one frame in ``landmarks_every`` and resting after each pass so that it keeps a
core busy at most half the time; every frame's faces are carried by optical flow, and each result of the model is
brought forward by flow from its frame to the current one and fused in. A frame's tracking then costs the flow
alone, however many faces there are; the model's results arrive a frame or two late, as fast as the cores allow.
The faces of a result replace those followed (a face the model no longer finds is dropped, a new one is added).
"""

from __future__ import annotations

import functools
import os
import threading

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from lensengine.errors import LensEngineError
from lensengine.face.background_landmarks import BackgroundLandmarks
from lensengine.face.face import Face
from lensengine.face.ids import DEFAULT_MAX_LOST, FaceIdAssigner
from lensengine.face.landmark_flow import carry_landmarks
from lensengine.face.landmark_points import landmark_boxes, landmarks_in_pixels
from lensengine.face.model_file import resolve_face_model
from lensengine.face.small_faces import SmallFaceTracker
from lensengine.face.smoothing import DEFAULT_BETA, DEFAULT_MIN_CUTOFF, OneEuroFilter
from lensengine.face.tile_detector import DEFAULT_LATER_TILES_PER_CALL, DEFAULT_TILES_PER_CALL

DEFAULT_SMOOTHING = (DEFAULT_MIN_CUTOFF, DEFAULT_BETA)
DOWNSCALE_ABOVE = 1280
DOWNSCALE_TO = 1280
RECENT_FRAMES = 8  # background mode: a result older than this many frames is dropped, not carried forward
FUSE_DISTANCE = 0.15  # a carried face and a measured one are the same face within this share of its size


def detection_size(width: int, height: int, downscale_above: int | None, downscale_to: int) -> tuple[int, int]:
    """(width, height) the landmarker runs at: the frame's own, or shrunk to ``downscale_to`` on its longest side."""
    longest = max(width, height)
    if downscale_above is None or longest <= downscale_above:
        return width, height
    scale = downscale_to / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def fuse_with_carried(measured: np.ndarray, carried: list[np.ndarray | None]) -> np.ndarray:
    """The landmark model's faces, each averaged with the flow-carried landmarks of the same face, where there are.

    The model's landmarks wobble by about a pixel from frame to frame; the carried ones follow the head's motion
    to a fraction of a pixel but not changes of shape. Their mean halves the wobble's variance at no cost in
    following the head; a change of shape (a mouth opening) is followed half at this pass, three quarters at the
    next. A carried face is the same face when its centre is within ``FUSE_DISTANCE`` of the face's size.
    """
    followed = [c for c in carried if c is not None]
    if not len(measured) or not followed:
        return measured
    centres = np.array([c.mean(axis=0) for c in followed])
    fused = measured.copy()
    for index, face in enumerate(measured):
        distances = np.linalg.norm(centres - face.mean(axis=0), axis=1)
        nearest = int(np.argmin(distances))
        size = float(np.ptp(face, axis=0).max())
        if distances[nearest] <= FUSE_DISTANCE * size:
            fused[index] = (face + followed[nearest]) * 0.5
    return fused


def _check_frame(frame: np.ndarray) -> None:
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        described = f"{frame.dtype} {frame.shape}" if isinstance(frame, np.ndarray) else type(frame).__name__
        raise LensEngineError(f"face tracker needs an HxWx3 uint8 BGR frame, got {described}: convert it first")


class FaceTracker:
    """Faces with stable ids and smoothed landmarks, frame after frame. Close it (or use ``with``) when done.

    smoothing: (min_cutoff Hz, beta 1/px) of each face's One-Euro filter, or None for raw landmarks.
    downscale_above / downscale_to: frames whose longest side exceeds ``downscale_above`` pixels are detected
    at ``downscale_to`` on that side; ``downscale_above=None`` always detects at full size.
    small_faces: search tiles for faces too small for the full-frame pass and follow them (see above). While
    there is room, ``small_face_tiles_per_frame`` tiles a frame are searched (about 4 ms each on a CPU) in the
    first round over the frame after a start or ``reset()``, ``small_face_later_tiles_per_frame`` after that (a
    fraction: 0.25 is one tile every 4th frame).
    landmarks_every: run the landmark model on one frame in this many, carrying landmarks by optical flow on
    the others (1, the default here: every frame; the engine's default is 2, see pipeline/assemble.py).
    background: run the landmark model in a thread of its own (real time, see above); close the tracker to stop it.
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        max_faces: int = 4,
        min_detection_confidence: float = 0.5,
        smoothing: tuple[float, float] | None = DEFAULT_SMOOTHING,
        max_lost: int = DEFAULT_MAX_LOST,
        downscale_above: int | None = DOWNSCALE_ABOVE,
        downscale_to: int = DOWNSCALE_TO,
        small_faces: bool = True,
        small_face_tiles_per_frame: int = DEFAULT_TILES_PER_CALL,
        small_face_later_tiles_per_frame: float = DEFAULT_LATER_TILES_PER_CALL,
        landmarks_every: int = 1,
        background: bool = False,
    ):
        if not isinstance(landmarks_every, int) or landmarks_every < 1:
            raise LensEngineError(
                f"landmarks_every must be a whole number of frames >= 1, got {landmarks_every!r}: e.g. 2"
            )
        if max_faces < 1 or not 0.0 <= min_detection_confidence <= 1.0:
            raise LensEngineError(
                f"face tracker needs max_faces >= 1 and a confidence in [0, 1] "
                f"(got {max_faces}, {min_detection_confidence}): e.g. max_faces=4, min_detection_confidence=0.5"
            )
        if downscale_to < 32:
            raise LensEngineError(f"downscale_to {downscale_to} is too small to find faces: use 640")
        make_smoother = None
        if smoothing is not None:
            if len(smoothing) != 2:
                raise LensEngineError(f"smoothing must be (min_cutoff, beta) or None, not {smoothing!r}")
            make_smoother = functools.partial(OneEuroFilter, *smoothing)
            make_smoother()  # bad values fail here rather than at the first face
        self.model_path = resolve_face_model(model_path)
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_faces=max_faces,
            min_face_detection_confidence=min_detection_confidence,
            min_face_presence_confidence=min_detection_confidence,
        )
        try:
            self._landmarker = vision.FaceLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as error:
            raise LensEngineError(
                f"MediaPipe cannot load face model {self.model_path} ({str(error).splitlines()[0]}): "
                "pass --face-model PATH to MediaPipe's face_landmarker.task"
            ) from error
        self.small_faces: SmallFaceTracker | None = None
        if small_faces:
            try:
                self.small_faces = SmallFaceTracker(
                    self.model_path,
                    min_detection_confidence,
                    max_lost,
                    small_face_tiles_per_frame,
                    small_face_later_tiles_per_frame,
                )
            except BaseException:
                self._landmarker.close()
                raise
        self.max_faces = max_faces
        self._closed = False
        self.downscale_above = downscale_above
        self.downscale_to = downscale_to
        self.ids = FaceIdAssigner(max_lost=max_lost, make_smoother=make_smoother)
        self._last_timestamp_ms: int | None = None
        self._timestamp_shift_ms = 0
        self.landmarks_every = landmarks_every
        self._carried_frames = 0  # frames since the landmark model last ran
        self._previous: tuple[np.ndarray, np.ndarray] | None = None  # (grey frame, raw landmarks) of the last call
        self._model_lock = threading.Lock()  # the model's state (small-face regions) against a reset
        self._frame_index = 0
        self._recent_greys: dict[int, np.ndarray] = {}  # background mode: grey frames by index
        self._background = BackgroundLandmarks(self._landmarks) if background else None

    @property
    def background(self) -> bool:
        """Whether the landmark model runs in a thread of its own."""
        return self._background is not None

    def _landmarker_timestamp(self, timestamp_ms: int) -> int:
        """The caller's timestamp shifted so that MediaPipe sees strictly increasing times.

        A timestamp that does not advance is bumped to 1 ms after the last one, and the shift is kept, so a
        source that restarts its clock (a looping file) goes on at its own pace after one bumped frame.
        """
        shifted = int(timestamp_ms) + self._timestamp_shift_ms
        if self._last_timestamp_ms is not None and shifted <= self._last_timestamp_ms:
            self._timestamp_shift_ms += self._last_timestamp_ms + 1 - shifted
            shifted = self._last_timestamp_ms + 1
        self._last_timestamp_ms = shifted
        return shifted

    def track(self, frame_bgr: np.ndarray, timestamp_ms: int) -> list[Face]:
        """Faces in this frame, sorted by id: stable ids, boxes and smoothed 478x2 landmarks in frame pixels.

        ``score`` is 1.0: MediaPipe's FaceLandmarker gives no per-face confidence; every face it returns has
        passed ``min_detection_confidence``.
        """
        if self._closed:
            raise LensEngineError("face tracker is closed: create a new FaceTracker")
        _check_frame(frame_bgr)
        timestamp = self._landmarker_timestamp(timestamp_ms)
        flows = self.landmarks_every > 1 or self._background is not None
        grey = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY) if flows else None
        carried = self._carried(grey)
        if self._background is not None:
            raw = self._with_background_results(frame_bgr, grey, timestamp, carried)
        elif self._carried_frames >= self.landmarks_every - 1 or not carried or any(c is None for c in carried):
            raw = fuse_with_carried(self._landmarks(frame_bgr, timestamp), carried)
            self._carried_frames = 0
        else:
            raw = np.array(carried, np.float32)
            self._carried_frames += 1
        if grey is not None:
            self._previous = (grey, raw)
        tracks = self.ids.assign(landmark_boxes(raw))
        seconds = timestamp / 1000.0
        faces = []
        for track, landmarks in zip(tracks, raw):
            smoothed = track.smooth(landmarks, seconds)
            box = tuple(float(v) for v in (*smoothed.min(axis=0), *smoothed.max(axis=0)))
            faces.append(Face(id=track.id, box=box, landmarks=smoothed, score=1.0))
        return sorted(faces, key=lambda face: face.id)

    def _carried(self, grey: np.ndarray | None) -> list[np.ndarray | None]:
        """The last frame's landmarks of each face carried into this one by optical flow (None for a face that
        cannot be followed); none at all for the first frame, after a reset or a change of frame size."""
        if grey is None or self._previous is None:
            return []
        previous_grey, previous_raw = self._previous
        if previous_grey.shape != grey.shape:
            return []
        return [carry_landmarks(previous_grey, grey, landmarks) for landmarks in previous_raw]

    def _with_background_results(
        self, frame_bgr: np.ndarray, grey: np.ndarray, timestamp: int, carried: list[np.ndarray | None]
    ) -> np.ndarray:
        """This frame's raw landmarks in background mode: the followed faces, or the model's newest result
        brought forward to this frame and fused with them; hands the model this frame when it is due and free."""
        index = self._frame_index
        self._frame_index += 1
        self._recent_greys[index] = grey
        self._recent_greys.pop(index - RECENT_FRAMES, None)
        followed = np.array([c for c in carried if c is not None], np.float32).reshape(-1, 478, 2)
        raw = followed
        result = self._background.take()
        if result is not None:
            measured_at, measured = result
            source = self._recent_greys.get(measured_at)
            if source is not None and source.shape == grey.shape:  # else too old, or from before a reset
                brought = [m if measured_at == index else carry_landmarks(source, grey, m) for m in measured]
                faces = np.array([b for b in brought if b is not None], np.float32).reshape(-1, 478, 2)
                raw = fuse_with_carried(faces, carried)
        self._carried_frames += 1
        if self._background.idle and (self._carried_frames >= self.landmarks_every or not len(raw)):
            self._background.submit(index, frame_bgr, timestamp)
            self._carried_frames = 0
        return raw

    def _landmarks(self, frame_bgr: np.ndarray, timestamp: int) -> np.ndarray:
        """(K, 478, 2) raw frame-pixel landmarks from the landmark model (and the small-face search)."""
        with self._model_lock:
            return self._model_landmarks(frame_bgr, timestamp)

    def _model_landmarks(self, frame_bgr: np.ndarray, timestamp: int) -> np.ndarray:
        height, width = frame_bgr.shape[:2]
        detect_width, detect_height = detection_size(width, height, self.downscale_above, self.downscale_to)
        small = frame_bgr
        if (detect_width, detect_height) != (width, height):
            small = cv2.resize(frame_bgr, (detect_width, detect_height), interpolation=cv2.INTER_LINEAR)
        rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        result = self._landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), timestamp)

        raw = landmarks_in_pixels(result.face_landmarks, width, height)
        if self.small_faces is not None:
            small = self.small_faces.track(frame_bgr, raw, self.max_faces)
            if len(small):
                raw = np.concatenate([raw, small])
        return raw

    def reset(self) -> None:
        """Forget the faces seen so far (e.g. the source changed); new faces get new ids."""
        self.ids.reset()
        self._previous = None
        self._recent_greys = {}  # a result from before the reset is dropped
        if self.small_faces is not None:
            with self._model_lock:
                self.small_faces.reset()

    def close(self) -> None:
        """Release MediaPipe's graph (an unclosed one prints a TypeError at interpreter exit). Safe to call twice."""
        if not self._closed:
            self._closed = True
            if self._background is not None:
                self._background.close()
            self._landmarker.close()
            if self.small_faces is not None:
                self.small_faces.close()

    def __enter__(self) -> FaceTracker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
