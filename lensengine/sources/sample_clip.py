"""The built-in sample clip: real faces moving over a backdrop, rendered frame by frame, with ground truth.

``SampleClip(size, faces=None).frame(i)`` returns the i-th frame (HxWx3 uint8 BGR) and, for each face that is
at least partly in the frame, where its eyes and face box are. The clip is 10 seconds long and repeats
seamlessly; it is deterministic (the same size and cast give the same pixels).

- ``faces=None`` (``sample``): 1 to 3 faces over time; faces enter and leave, half outside the frame while
  they do, and roll up to 30 degrees.
- ``faces=N`` (``sample:N``, N = 1..3): exactly N faces the whole time, each in its own lane, in the frame.

The heads are cut from the offline photos (``lensengine.sources.face_photos``); see ``sample_sprites``. Only the
region under each head is warped and blended; the rest of the frame is a copy of the backdrop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.sources.sample_background import SampleBackground
from lensengine.sources.sample_motion import (
    DURATION_S,
    FacePath,
    Pose,
    changing_cast,
    fixed_cast,
    unit_length,
)
from lensengine.sources.sample_sprites import HeadSprite, resized, sample_heads

MIN_SIDE = 64
MAX_SIDE = 8192
# Points on a unit circle: a face's outline is the ellipse inscribed in its box, sampled at these angles.
_ANGLES = np.linspace(0, 2 * np.pi, 24, endpoint=False)
_OVAL = np.stack([np.cos(_ANGLES), np.sin(_ANGLES)], axis=1)


@dataclass(frozen=True)
class SampleFace:
    """Ground truth for one face of a sample frame.

    face_id: 0 Grace Hopper, 1 the astronaut, 2 the mirrored, recoloured astronaut (stable over the clip).
    eyes: (2, 2) float64 frame pixels, the image-left eye first (where MediaPipe puts landmarks 468 and 473).
    box: the face's box (brows to chin, cheek to cheek) in frame pixels; may extend past the frame's edges.
    roll: degrees, positive turns the head clockwise on screen.
    visible_fraction: the share of the box's area inside the frame (1.0: fully visible).
    """

    face_id: int
    name: str
    eyes: np.ndarray
    box: tuple[float, float, float, float]
    roll: float
    visible_fraction: float

    @property
    def fully_visible(self) -> bool:
        return self.visible_fraction >= 1.0


def _checked_size(size: tuple[int, int]) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise LensEngineError(
            f"sample clip size {size!r} is not (width, height); give two integers such as (640, 480)"
        ) from None
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise LensEngineError(
            f"sample clip size {width}x{height} is out of range; give a width and height from {MIN_SIDE} to {MAX_SIDE}"
        )
    return width, height


class SampleClip:
    """The sample clip at one frame size (see the module docstring). ``fps`` sets how many frames the 10 s
    clip has (``frame_count``); ``frame(i)`` wraps around after the last one."""

    def __init__(self, size: tuple[int, int] = (640, 480), faces: int | None = None, fps: float = 30.0) -> None:
        if faces is not None and faces not in (1, 2, 3):
            raise LensEngineError(
                f"the sample clip has 1 to 3 faces, not {faces!r}; use sample, sample:1, sample:2 or sample:3"
            )
        if not (isinstance(fps, (int, float)) and math.isfinite(fps) and 1.0 <= fps <= 240.0):
            raise LensEngineError(f"sample clip fps {fps!r} is out of range; give a frame rate from 1 to 240")
        self.size = _checked_size(size)
        self.faces = faces
        self.fps = float(fps)
        self.frame_count = max(1, round(DURATION_S * self.fps))
        self._unit = unit_length(*self.size)
        self._paths: tuple[FacePath, ...] = changing_cast() if faces is None else fixed_cast(faces)
        heads = sample_heads()
        # Each head is resized once to its largest size in the clip, so frames only ever shrink it a little.
        self._sprites: list[HeadSprite] = []
        for path, head in zip(self._paths, heads):
            largest = max(k.scale for k in path.keyframes) * path.eye_distance * self._unit
            self._sprites.append(resized(head, largest))
        self._background = SampleBackground(self.size, self._unit)

    def frame(self, index: int) -> tuple[np.ndarray, list[SampleFace]]:
        """Frame ``index`` (wrapping around the clip) and the truth for each face at least partly in it."""
        t = (index % self.frame_count) / self.fps
        frame = self._background.at(t)
        truth = []
        for face_id, (path, sprite) in enumerate(zip(self._paths, self._sprites)):
            pose = path.pose(t)
            matrix = self._placement(pose, sprite)
            _paste(frame, sprite.bgra, matrix)
            face = self._face_truth(face_id, sprite, pose, matrix)
            if face.visible_fraction > 0:
                truth.append(face)
        return frame, truth

    def _placement(self, pose: Pose, sprite: HeadSprite) -> np.ndarray:
        """2x3 matrix from sprite pixels to frame pixels for this pose."""
        scale = pose.eye_distance * self._unit / sprite.eye_distance
        angle = math.radians(pose.roll)
        linear = scale * np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        anchor = sprite.eyes.mean(axis=0)
        target = np.array([pose.x * self.size[0], pose.y * self.size[1]])
        return np.hstack([linear, (target - linear @ anchor)[:, None]])

    def _face_truth(self, face_id: int, sprite: HeadSprite, pose: Pose, matrix: np.ndarray) -> SampleFace:
        eyes = sprite.eyes @ matrix[:, :2].T + matrix[:, 2]
        x0, y0, x1, y1 = sprite.face_box
        oval = _OVAL * [(x1 - x0) / 2, (y1 - y0) / 2] + [(x0 + x1) / 2, (y0 + y1) / 2]
        outline = oval @ matrix[:, :2].T + matrix[:, 2]
        (bx0, by0), (bx1, by1) = outline.min(axis=0), outline.max(axis=0)
        width, height = self.size
        inside_w = max(0.0, min(bx1, width) - max(bx0, 0.0))
        inside_h = max(0.0, min(by1, height) - max(by0, 0.0))
        visible = inside_w * inside_h / max((bx1 - bx0) * (by1 - by0), 1e-9)
        box = (float(bx0), float(by0), float(bx1), float(by1))
        return SampleFace(face_id, sprite.name, eyes, box, pose.roll, min(1.0, visible))


def _paste(frame: np.ndarray, bgra: np.ndarray, matrix: np.ndarray) -> None:
    """Warp a premultiplied BGRA sprite by ``matrix`` and blend it over ``frame`` in place, only where it lands."""
    h, w = bgra.shape[:2]
    corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], np.float64) @ matrix[:, :2].T + matrix[:, 2]
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, frame.shape[1]), min(y1, frame.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    local = matrix.copy()
    local[:, 2] -= (x0, y0)
    warped = cv2.warpAffine(
        bgra, local, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )
    colour = cv2.cvtColor(warped, cv2.COLOR_BGRA2BGR)
    keep = cv2.cvtColor(cv2.bitwise_not(cv2.extractChannel(warped, 3)), cv2.COLOR_GRAY2BGR)
    region = frame[y0:y1, x0:x1]
    region[...] = cv2.add(cv2.multiply(region, keep, scale=1.0 / 255.0), colour)
