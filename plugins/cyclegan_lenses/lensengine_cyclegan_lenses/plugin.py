"""lensengine plugin module (entry point ``cyclegan_lenses``): the lens packs in this distribution's packs/ folder."""

from __future__ import annotations

from pathlib import Path

from lensengine.hookspecs import hookimpl
from lensengine.packs import packs_in

PACKS_DIR = Path(__file__).resolve().parent / "packs"


@hookimpl
def lensengine_lens_packs():
    return packs_in(PACKS_DIR)
