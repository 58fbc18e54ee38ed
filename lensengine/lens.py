"""What a lens is: the spec a plugin registers and the two call shapes the engine uses.

A *face lens* gets every aligned face crop of a frame in one batch::

    lens.apply(crops, landmarks) -> crops
    crops:     (N, S, S, 3) uint8, colour order as the spec declares ("BGR" or "RGB")
    landmarks: (N, 478, 2) float32, the face's landmarks in crop pixels
    returns    (N, S, S, 3) uint8, same colour order

A *frame lens* gets the whole frame::

    lens.apply(frame) -> frame     # (H, W, 3) uint8 in the declared colour order

A lens object may also define ``close()``; the engine calls it when the lens is switched off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

FACE = "face"
FRAME = "frame"
LensKind = Literal["face", "frame"]


@dataclass(frozen=True)
class LensSpec:
    """A lens as a plugin declares it. ``create()`` builds the lens object (may be slow: models load)."""

    name: str
    kind: LensKind
    create: Callable[[], Any]
    description: str = ""
    crop_size: int = 256
    color_order: Literal["BGR", "RGB"] = "BGR"
    margin: float = 0.35
    plugin: str = ""  # filled in by the engine: the entry-point name that registered it
    pack: Any = None  # the LensPack behind a neural lens (None for algorithmic lenses)

    def __post_init__(self) -> None:
        if self.kind not in (FACE, FRAME):
            raise ValueError(f"lens {self.name!r}: kind must be 'face' or 'frame', not {self.kind!r}")
        if self.color_order not in ("BGR", "RGB"):
            raise ValueError(f"lens {self.name!r}: color_order must be 'BGR' or 'RGB'")
        if not (16 <= self.crop_size <= 2048):
            raise ValueError(f"lens {self.name!r}: crop_size {self.crop_size} outside 16..2048")
