"""Head sprites for the sample clip: soft-edged ellipses cut from the offline face photos.

A sprite is a premultiplied BGRA uint8 image of one head (hair or hat, face, chin) whose alpha fades out at an
elliptical edge, plus where its eyes and face box lie in sprite pixels, so the clip can say where the eyes of
every face it draws end up.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from lensengine.sources.face_photos import face_photo


@dataclass(frozen=True)
class PhotoHead:
    """Where the head sits in one offline photo.

    eyes and face_box were measured once with MediaPipe's FaceLandmarker (IMAGE mode) on the photo: eyes are
    the iris centres (landmarks 468 and 473, the image-left eye first), face_box the bounds of the 478
    landmarks (brows to chin, cheek to cheek). The head ellipse was chosen by eye to hold the hair or hat,
    the face and the chin; tests/sources check the measured numbers against the landmarker.
    """

    photo: str
    eyes: tuple[tuple[float, float], tuple[float, float]]
    face_box: tuple[float, float, float, float]
    head_centre: tuple[int, int]
    head_axes: tuple[int, int]


PHOTO_HEADS = {
    "grace_hopper": PhotoHead(
        photo="grace_hopper",
        eyes=((223.0, 192.2), (306.5, 187.3)),
        face_box=(170.0, 132.3, 355.4, 334.6),
        head_centre=(264, 200),
        head_axes=(128, 178),
    ),
    "astronaut": PhotoHead(
        photo="astronaut",
        eyes=((203.5, 101.1), (246.0, 103.5)),
        face_box=(180.7, 71.8, 270.2, 177.4),
        head_centre=(225, 108),
        head_axes=(80, 102),
    ),
}


@dataclass(frozen=True)
class HeadSprite:
    """One head, ready to composite.

    bgra: (h, w, 4) uint8, colour premultiplied by alpha.
    eyes: (2, 2) float64 sprite pixels, the image-left eye first.
    face_box: (4,) float64 sprite pixels, x0, y0, x1, y1.
    """

    name: str
    bgra: np.ndarray
    eyes: np.ndarray
    face_box: np.ndarray

    @property
    def eye_distance(self) -> float:
        return float(np.linalg.norm(self.eyes[1] - self.eyes[0]))


def cut_head(photo_bgr: np.ndarray, head: PhotoHead, name: str, feather: float = 0.14) -> HeadSprite:
    """Cut the head ellipse out of a photo; the alpha ramps down over ``feather`` of the shorter semi-axis."""
    cx, cy = head.head_centre
    ax, ay = head.head_axes
    ramp = feather * min(ax, ay)
    x0, y0 = max(0, int(cx - ax - ramp)), max(0, int(cy - ay - ramp))
    x1 = min(photo_bgr.shape[1], int(np.ceil(cx + ax + ramp)))
    y1 = min(photo_bgr.shape[0], int(np.ceil(cy + ay + ramp)))
    crop = photo_bgr[y0:y1, x0:x1]
    mask = np.zeros(crop.shape[:2], np.uint8)
    inner = (max(1, int(ax - ramp / 2)), max(1, int(ay - ramp / 2)))
    cv2.ellipse(mask, (cx - x0, cy - y0), inner, 0, 0, 360, 255, thickness=-1, lineType=cv2.LINE_AA)
    mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=ramp / 2)
    alpha = mask.astype(np.float32)[..., None] / 255.0
    premultiplied = np.rint(crop.astype(np.float32) * alpha).astype(np.uint8)
    bgra = np.dstack([premultiplied, mask])
    offset = np.array([x0, y0], np.float64)
    eyes = np.array(head.eyes, np.float64) - offset
    face_box = np.array(head.face_box, np.float64) - np.tile(offset, 2)
    return HeadSprite(name, bgra, eyes, face_box)


def mirrored(sprite: HeadSprite, name: str) -> HeadSprite:
    """The sprite flipped left to right; the eyes swap so the image-left eye stays first."""
    width = sprite.bgra.shape[1]
    eyes = sprite.eyes[::-1].copy()
    eyes[:, 0] = width - 1 - eyes[:, 0]
    x0, y0, x1, y1 = sprite.face_box
    face_box = np.array([width - 1 - x1, y0, width - 1 - x0, y1], np.float64)
    return HeadSprite(name, np.ascontiguousarray(sprite.bgra[:, ::-1]), eyes, face_box)


def recoloured(sprite: HeadSprite, name: str, lightness: float, warmth: float) -> HeadSprite:
    """The sprite with its lightness scaled and its colours pushed towards yellow by ``warmth`` Lab units."""
    alpha = sprite.bgra[..., 3:].astype(np.float32) / 255.0
    straight = sprite.bgra[..., :3].astype(np.float32) / np.maximum(alpha, 1 / 255.0) / 255.0
    lab = cv2.cvtColor(np.clip(straight, 0, 1), cv2.COLOR_BGR2Lab)
    lab[..., 0] *= lightness
    lab[..., 2] += warmth
    bgr = np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2BGR), 0, 1)
    premultiplied = np.rint(bgr * alpha * 255.0).astype(np.uint8)
    return HeadSprite(name, np.dstack([premultiplied, sprite.bgra[..., 3]]), sprite.eyes, sprite.face_box)


def resized(sprite: HeadSprite, eye_distance: float) -> HeadSprite:
    """The sprite scaled so its eyes lie ``eye_distance`` pixels apart."""
    factor = eye_distance / sprite.eye_distance
    h, w = sprite.bgra.shape[:2]
    new_w, new_h = max(1, round(w * factor)), max(1, round(h * factor))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    bgra = cv2.resize(sprite.bgra, (new_w, new_h), interpolation=interpolation)
    sx, sy = new_w / w, new_h / h
    # Pixel centres: a point at x maps to (x + 0.5) * s - 0.5.
    eyes = (sprite.eyes + 0.5) * [sx, sy] - 0.5
    face_box = (sprite.face_box + 0.5) * [sx, sy, sx, sy] - 0.5
    return HeadSprite(sprite.name, bgra, eyes, face_box)


@lru_cache(maxsize=1)
def sample_heads() -> tuple[HeadSprite, HeadSprite, HeadSprite]:
    """The three heads of the sample clip at photo resolution: Grace Hopper, the astronaut, and a mirrored,
    darker and warmer astronaut (a third, different-looking face)."""
    hopper = cut_head(face_photo("grace_hopper"), PHOTO_HEADS["grace_hopper"], "grace_hopper")
    astronaut = cut_head(face_photo("astronaut"), PHOTO_HEADS["astronaut"], "astronaut")
    third = recoloured(mirrored(astronaut, "astronaut_mirrored"), "astronaut_mirrored", lightness=0.72, warmth=10.0)
    return hopper, astronaut, third
