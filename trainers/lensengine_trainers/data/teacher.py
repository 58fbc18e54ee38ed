"""A teacher: any installed face lens, found by name through the plugin entry points, that makes B from A.

The teacher sees crops exactly as the engine would give them at run time: its own crop size and margin, its
own colour order, and the face's landmarks in crop pixels. Its output is checked like the engine checks a lens.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.lens import FACE, LensSpec
from lensengine.lenses.plugins import PluginRegistry, load_plugins


class TeacherLens:
    """A created face lens with BGR crops in and BGR crops out. Close it when done."""

    def __init__(self, spec: LensSpec, lens: Any):
        self.spec = spec
        self.lens = lens

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def crop_size(self) -> int:
        return self.spec.crop_size

    @property
    def margin(self) -> float:
        return self.spec.margin

    def check_margin(self, margin: float, faces: object) -> None:
        """Refuse crops cut with another aligner margin than this lens's: it would see other faces than at run time."""
        if abs(margin - self.margin) > 1e-6:
            raise LensEngineError(
                f"{faces} was cut with margin {margin}, but teacher lens {self.name!r} expects margin {self.margin}: "
                f"extract the faces again with --margin {self.margin}"
            )

    def apply(self, crops_bgr: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        """(N, S, S, 3) uint8 BGR crops and (N, 478, 2) crop-pixel landmarks -> the lens's (N, S, S, 3) BGR."""
        return self.apply_with_alpha(crops_bgr, landmarks)[0]

    def apply_with_alpha(self, crops_bgr: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(the lens's (N, S, S, 3) BGR output, its (N, S, S) uint8 alpha or None when the lens gives none).

        A lens that returns colour + alpha (N, S, S, 4) says where it draws (``lensengine.lens.FaceLens``); the
        colour returned here is then what it shows, ``input * (1 - alpha) + colour * alpha``.
        """
        rgb = self.spec.color_order == "RGB"
        crops = np.ascontiguousarray(crops_bgr[..., ::-1]) if rgb else crops_bgr
        out = self.lens.apply(crops, np.asarray(landmarks, np.float32))
        if (
            not isinstance(out, np.ndarray)
            or out.dtype != np.uint8
            or out.shape[:3] != crops.shape[:3]
            or out.ndim != 4
            or out.shape[3] not in (3, 4)
        ):
            got = f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
            raise LensEngineError(
                f"teacher lens {self.name!r} returned {got} for crops {crops.shape} uint8: "
                "fix the lens so that it returns crops of the shape it was given (or with a 4th, alpha, channel)"
            )
        alpha = None
        colour = out
        if out.shape[3] == 4:
            alpha = np.ascontiguousarray(out[..., 3])
            weight = alpha[..., None].astype(np.float32) / 255.0
            shown = crops.astype(np.float32) * (1.0 - weight) + out[..., :3].astype(np.float32) * weight
            colour = np.clip(np.rint(shown), 0, 255).astype(np.uint8)
        colour = np.ascontiguousarray(colour[..., ::-1]) if rgb else colour
        return colour, alpha

    def close(self) -> None:
        """Release the lens (its ``close()`` if it has one)."""
        close = getattr(self.lens, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> TeacherLens:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def load_teacher(name: str, registry: PluginRegistry | None = None) -> TeacherLens:
    """Create the face lens called ``name`` from the installed plugins (or from ``registry``)."""
    registry = registry if registry is not None else load_plugins()
    spec = registry.lens(name)
    if spec.kind != FACE:
        raise LensEngineError(
            f"lens {name!r} is a {spec.kind} lens; a teacher must be a face lens (see `lensengine lenses`)"
        )
    return TeacherLens(spec, spec.create())
