"""lensengine plugin module (entry point ``landmarks``)."""

from __future__ import annotations

from lensengine.hookspecs import hookimpl
from lensengine.lens import FACE, LensSpec

from .lens import LandmarksLens


@hookimpl
def lensengine_lenses():
    return [
        LensSpec(
            name="landmarks",
            kind=FACE,
            create=LandmarksLens,
            description="Debug: the 478 face landmarks (green) and the 5 alignment keypoints (red) on each face",
            crop_size=256,
            color_order="BGR",
        )
    ]
