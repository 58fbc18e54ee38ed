"""What a lens is: the spec a plugin registers, and the two protocols the engine calls a lens object through.

A plugin's ``LensSpec.create()`` returns a lens object. Its ``kind`` says which protocol the object follows:

- ``FaceLens`` (``kind="face"``): gets every aligned face crop of a frame in one batch, with landmarks.
- ``FrameLens`` (``kind="frame"``): gets the whole frame.

Both may also define ``warmup()`` and ``close()``; see the protocols. ``lensengine.testing.check_lens`` checks a
lens against this contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from lensengine.errors import LensEngineError

if TYPE_CHECKING:
    import numpy as np

FACE = "face"
FRAME = "frame"
LensKind = Literal["face", "frame"]


@runtime_checkable
class FaceLens(Protocol):
    """A lens that draws on faces (``LensSpec.kind == "face"``).

    ``apply(crops, landmarks) -> crops``
        crops:     (N, S, S, 3) uint8, S = ``LensSpec.crop_size``, in the spec's ``color_order`` ("BGR" or "RGB");
                   each crop is cut by ``lensengine.face.align`` with the spec's ``margin``. N >= 1, up to
                   ``--max-faces``; treat each crop on its own.
        landmarks: (N, 478, 2) float32, each face's MediaPipe landmarks in that crop's pixels.
        returns    (N, S, S, 3) uint8 in the same colour order: a new array (never the input or a view of it, nor
                   a buffer the lens writes again in a later call). The lens must not write into ``crops`` or
                   ``landmarks``.
                   Or (N, S, S, 4) uint8, colour plus alpha: channels 0-2 the colour in the same order, channel 3
                   the opacity of the lens's drawing (0: the lens does not touch this pixel, 255: opaque). What the
                   lens shows is ``crop * (1 - alpha) + colour * alpha``, and the engine pastes it opacity-aware
                   (``lensengine.compose.paste``): where alpha is 0 the frame keeps its own full-resolution pixels,
                   bit for bit, and under alpha 255 the drawing hides the frame's detail. Colour where alpha is 0
                   is ignored. A lens that adds something to a face (glasses, a hat, a sticker) should return its
                   alpha; a lens that redraws the whole face returns colour only (or alpha 255 everywhere).
                   A lens returns one form or the other, the same for every call.

    Optional methods, called by the engine when present:
        ``warmup()``: called once after ``create()``, in the loading thread, before the first ``apply``: run a
                      dummy batch, build engines, fill caches, so the first real frame is not slow. The previous
                      lens keeps serving frames meanwhile.
        ``close()``:  called once when the lens is switched off or the engine stops: release models, threads,
                      GPU memory. An exception in it is logged, not raised.
    """

    def apply(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray: ...


@runtime_checkable
class FrameLens(Protocol):
    """A lens that redraws the whole frame (``LensSpec.kind == "frame"``), e.g. a style transfer.

    ``apply(frame) -> frame``
        frame:   (H, W, 3) uint8 in the spec's ``color_order``; any size the source gives (e.g. 640x480, 1280x720).
        returns  (H, W, 3) uint8, same size and colour order: a new array (never the input or a view of it, nor
                 a buffer the lens writes again in a later call). The lens must not write into ``frame``.

    ``warmup()`` and ``close()`` are optional, with the same meaning as for :class:`FaceLens`.
    """

    def apply(self, frame: np.ndarray) -> np.ndarray: ...


def unknown_lens(name: str, known: Iterable[str], hint: str = "") -> LensEngineError:
    """The one error for a lens name that no plugin, pack or path provides: it lists the known names."""
    listed = ", ".join(known) or "none (no lens plugin is installed)"
    return LensEngineError(f"unknown lens {name!r}; known lenses: {listed}{hint}")


@dataclass(frozen=True)
class LensSpec:
    """A lens as a plugin declares it. ``create()`` builds the lens object (may be slow: models load).

    The object follows :class:`FaceLens` when ``kind`` is ``"face"`` and :class:`FrameLens` when it is ``"frame"``.
    """

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
