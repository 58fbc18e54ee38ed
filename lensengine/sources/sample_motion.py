"""Where each face of the sample clip is at a given time: keyframed paths plus a periodic roll and bob.

Positions are fractions of the frame's width and height and sizes are fractions of the frame's unit length
(see ``unit_length``), so the same choreography plays at any frame size. Every path repeats after
``DURATION_S`` seconds, so a looping clip has no jump.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DURATION_S = 10.0

# Eye distance, as a fraction of the unit length, of a face at scale 1 when N faces share the frame.
EYE_DISTANCE_FOR_COUNT = {1: 0.20, 2: 0.15, 3: 0.12}
# Horizontal lanes (fractions of the width) of N faces that stay in the frame.
LANES_FOR_COUNT = {1: (0.5,), 2: (0.3, 0.7), 3: (0.2, 0.5, 0.8)}


def unit_length(width: int, height: int) -> float:
    """The length face sizes are measured in: the height, or 3/4 of the width for frames narrower than 4:3."""
    return min(float(height), 0.75 * float(width))


@dataclass(frozen=True)
class Pose:
    """One face at one instant.

    x, y: the midpoint between the eyes, as fractions of the frame width and height (outside 0..1 when off frame).
    eye_distance: fraction of the unit length.
    roll: degrees, positive turns the head clockwise on screen.
    """

    x: float
    y: float
    eye_distance: float
    roll: float


@dataclass(frozen=True)
class Keyframe:
    """A face's place at time ``t`` (seconds); between keyframes it eases in and out (smoothstep)."""

    t: float
    x: float
    y: float
    scale: float


@dataclass(frozen=True)
class FacePath:
    """One face's motion: keyframes (the first at t=0, the last at DURATION_S and equal to the first), a
    roll of ``roll_amplitude`` degrees over ``roll_period`` seconds, and a vertical bob."""

    keyframes: tuple[Keyframe, ...]
    eye_distance: float
    roll_amplitude: float = 30.0
    roll_period: float = 5.0
    roll_phase: float = 0.0
    bob_amplitude: float = 0.03
    bob_period: float = 2.5
    bob_phase: float = 0.0

    def pose(self, t: float) -> Pose:
        t = t % DURATION_S
        before, after = self.keyframes[0], self.keyframes[-1]
        for a, b in zip(self.keyframes, self.keyframes[1:]):
            if a.t <= t <= b.t:
                before, after = a, b
                break
        span = after.t - before.t
        u = 0.0 if span <= 0 else (t - before.t) / span
        w = u * u * (3.0 - 2.0 * u)
        x = before.x + (after.x - before.x) * w
        y = before.y + (after.y - before.y) * w
        scale = before.scale + (after.scale - before.scale) * w
        y += self.bob_amplitude * math.sin(2 * math.pi * t / self.bob_period + self.bob_phase)
        roll = self.roll_amplitude * math.sin(2 * math.pi * t / self.roll_period + self.roll_phase)
        return Pose(x, y, self.eye_distance * scale, roll)


def changing_cast() -> tuple[FacePath, FacePath, FacePath]:
    """The ``sample`` clip: 1 to 3 faces. Face 0 stays all the time; face 1 enters from the right at 1.5 s and
    leaves to the right at 6.5 s; face 2 rises in from below at 3.5 s and sinks out again at 8.5 s.
    Each entry and exit takes 0.3 s, so faces are partly outside the frame only briefly."""
    eye = EYE_DISTANCE_FOR_COUNT[3]
    face0 = FacePath(
        keyframes=(
            Keyframe(0.0, 0.50, 0.45, 1.5),
            Keyframe(1.5, 0.50, 0.45, 1.5),
            Keyframe(2.2, 0.30, 0.45, 1.25),
            Keyframe(3.5, 0.30, 0.45, 1.25),
            Keyframe(4.0, 0.20, 0.45, 1.0),
            Keyframe(6.5, 0.20, 0.45, 1.0),
            Keyframe(7.0, 0.30, 0.45, 1.25),
            Keyframe(8.5, 0.30, 0.45, 1.25),
            Keyframe(9.2, 0.50, 0.45, 1.5),
            Keyframe(DURATION_S, 0.50, 0.45, 1.5),
        ),
        eye_distance=eye,
    )
    face1 = FacePath(
        keyframes=(
            Keyframe(0.0, 1.40, 0.45, 1.25),
            Keyframe(1.5, 1.40, 0.45, 1.25),
            Keyframe(1.8, 0.70, 0.45, 1.25),
            Keyframe(3.5, 0.70, 0.45, 1.25),
            Keyframe(4.0, 0.80, 0.45, 1.0),
            Keyframe(6.5, 0.80, 0.45, 1.0),
            Keyframe(6.8, 1.40, 0.45, 1.0),
            Keyframe(DURATION_S, 1.40, 0.45, 1.25),
        ),
        eye_distance=eye,
        roll_phase=2.0,
        bob_phase=1.0,
    )
    face2 = FacePath(
        keyframes=(
            Keyframe(0.0, 0.50, 1.60, 1.0),
            Keyframe(3.5, 0.50, 1.60, 1.0),
            Keyframe(3.8, 0.50, 0.45, 1.0),
            Keyframe(6.5, 0.50, 0.45, 1.0),
            Keyframe(7.0, 0.70, 0.45, 1.25),
            Keyframe(8.5, 0.70, 0.45, 1.25),
            Keyframe(8.8, 0.70, 1.60, 1.25),
            Keyframe(DURATION_S, 0.50, 1.60, 1.0),
        ),
        eye_distance=eye,
        roll_phase=4.0,
        bob_phase=2.0,
    )
    return face0, face1, face2


def fixed_cast(count: int) -> tuple[FacePath, ...]:
    """The ``sample:N`` clip: N faces that stay in their lanes the whole time, swaying, bobbing, rolling up to
    30 degrees and growing and shrinking by 20%."""
    eye = EYE_DISTANCE_FOR_COUNT[count]
    paths = []
    for index, lane in enumerate(LANES_FOR_COUNT[count]):
        sway = 0.04 if count == 1 else 0.02
        keyframes = (
            Keyframe(0.0, lane, 0.45, 1.0),
            Keyframe(2.5, lane - sway, 0.47, 1.2),
            Keyframe(5.0, lane, 0.45, 1.0),
            Keyframe(7.5, lane + sway, 0.43, 0.8),
            Keyframe(DURATION_S, lane, 0.45, 1.0),
        )
        paths.append(FacePath(keyframes, eye, roll_phase=2.1 * index, bob_phase=1.3 * index, bob_amplitude=0.02))
    return tuple(paths)
