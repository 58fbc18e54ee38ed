"""The neural lens packs this distribution ships, found in its ``packs/`` folder."""

from __future__ import annotations

from pathlib import Path

PACKS_DIR = Path(__file__).resolve().parent / "packs"


def packs_in(folder: Path) -> list[Path]:
    """Sorted packs directly inside ``folder``: sub-folders holding a ``lens.toml``, and ``.zip`` files.

    A missing folder holds no packs.
    """
    if not folder.is_dir():
        return []
    return sorted(
        entry for entry in folder.iterdir()
        if (entry.is_dir() and (entry / "lens.toml").is_file()) or (entry.is_file() and entry.suffix == ".zip")
    )
