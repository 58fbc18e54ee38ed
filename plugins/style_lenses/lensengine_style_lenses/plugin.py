"""lensengine plugin module (entry point ``style_lenses``): the lens packs in this distribution's packs/ folder."""

from __future__ import annotations

from lensengine.hookspecs import hookimpl

from .packs_folder import PACKS_DIR, packs_in


@hookimpl
def lensengine_lens_packs():
    return packs_in(PACKS_DIR)
