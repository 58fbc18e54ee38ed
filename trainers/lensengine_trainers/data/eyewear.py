"""Spectacles drawn on a training face: many people on calls wear glasses, few training photos show them.

``draw_eyewear(image, landmarks, rng)`` draws a random pair of glasses on an aligned face crop, placed by its
irises (MediaPipe points 468 and 473): two elliptical rims turned with the eye line, a bridge and the start of
both temples, in a random frame colour (black, browns, tortoiseshell, metal) and thickness, and, one time in
five, tinted lenses. It runs before a teacher lens draws the target, so a net learns to put its effect on the
eyes behind a pair of glasses rather than on the glasses' rims.
"""

from __future__ import annotations

import cv2
import numpy as np

from lensengine.face.align import LEFT_EYE, RIGHT_EYE

FRAME_COLOURS = np.array(  # BGR
    [[20, 20, 20], [25, 45, 70], [40, 70, 110], [60, 110, 170], [170, 170, 170], [70, 150, 200]], dtype=np.float64
)
TINTED_LENSES = 0.2  # share of the pairs with tinted lenses


def draw_eyewear(image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A copy of the (S, S, 3) uint8 face crop wearing random glasses; unchanged if the irises coincide."""
    left, right = np.asarray(landmarks, np.float64)[[LEFT_EYE, RIGHT_EYE]]
    span = right - left
    distance = float(np.hypot(*span))
    out = image.copy()
    if distance < 1.0:
        return out
    angle = float(np.degrees(np.arctan2(span[1], span[0])))
    along, up = span / distance, np.array([span[1], -span[0]]) / distance
    half_w, half_h = distance * rng.uniform(0.32, 0.52), distance * rng.uniform(0.22, 0.36)
    lift = distance * rng.uniform(-0.08, 0.05)  # rims a little above or below the irises
    colour = FRAME_COLOURS[rng.integers(len(FRAME_COLOURS))] * rng.uniform(0.8, 1.2)
    colour = tuple(float(c) for c in np.clip(colour, 0, 255))
    thickness = max(1, int(round(distance * rng.uniform(0.03, 0.09))))
    centres = [eye + up * lift for eye in (left, right)]
    if rng.random() < TINTED_LENSES:
        lenses = np.zeros(out.shape[:2], np.uint8)
        for centre in centres:
            cv2.ellipse(lenses, _point(centre), _axes(half_w, half_h), angle, 0, 360, 255, -1, cv2.LINE_AA)
        shade = (lenses.astype(np.float32) / 255.0 * rng.uniform(0.2, 0.6))[..., None]
        out = np.clip(out * (1.0 - shade) + np.array(colour, np.float32) * 0.3 * shade, 0, 255).astype(np.uint8)
    for centre in centres:
        cv2.ellipse(out, _point(centre), _axes(half_w, half_h), angle, 0, 360, colour, thickness, cv2.LINE_AA)
    bridge_y = up * half_h * 0.3
    inner_left, inner_right = centres[0] + along * half_w + bridge_y, centres[1] - along * half_w + bridge_y
    cv2.line(out, _point(inner_left), _point(inner_right), colour, thickness, cv2.LINE_AA)
    temple = along * distance * 0.35
    for start, direction in ((centres[0] - along * half_w, -1.0), (centres[1] + along * half_w, 1.0)):
        cv2.line(out, _point(start), _point(start + direction * temple), colour, thickness, cv2.LINE_AA)
    return out


def _point(xy: np.ndarray) -> tuple[int, int]:
    return int(round(float(xy[0]))), int(round(float(xy[1])))


def _axes(half_w: float, half_h: float) -> tuple[int, int]:
    return max(1, int(round(half_w))), max(1, int(round(half_h)))
