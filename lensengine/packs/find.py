"""Finding packs in a folder: what a plugin ships in its package and what a user drops into their lens folder."""

from __future__ import annotations

from pathlib import Path

from lensengine.packs.manifest import MANIFEST_NAME


def packs_in(folder: str | Path) -> list[Path]:
    """Packs directly inside ``folder``, sorted by name: sub-folders holding a ``lens.toml``, and ``.zip`` files.

    A missing folder holds none. A plugin's ``lensengine_lens_packs`` hook is typically
    ``return packs_in(Path(__file__).parent / "packs")``.
    """
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(
        (
            entry
            for entry in root.iterdir()
            if (entry.is_dir() and (entry / MANIFEST_NAME).is_file()) or (entry.is_file() and entry.suffix == ".zip")
        ),
        key=lambda path: path.name,
    )
