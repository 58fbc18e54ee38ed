"""lensengine plugin module (entry point ``thug_glasses``): the classic lens and the shipped packs."""

from __future__ import annotations

from pathlib import Path

from lensengine.hookspecs import hookimpl
from lensengine.lens import FACE, LensSpec
from lensengine.packs import packs_in

from .classic import thug_glasses_with_alpha

PACKS_DIR = Path(__file__).resolve().parent / "packs"


@hookimpl
def lensengine_lenses():
    return [
        LensSpec(
            name="thug_glasses_classic",
            kind=FACE,
            create=thug_glasses_with_alpha,
            description='Pixel-art "Thug Life" sunglasses on the eye line (procedural; the neural pack\'s teacher)',
            crop_size=256,
            color_order="BGR",
        )
    ]


@hookimpl
def lensengine_lens_packs():
    return packs_in(PACKS_DIR)
