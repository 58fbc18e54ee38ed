"""The one folder lensengine caches into: ``$LENSENGINE_CACHE_DIR``, else the platform's user cache folder."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

CACHE_DIR_ENV = "LENSENGINE_CACHE_DIR"


def cache_dir(*parts: str) -> Path:
    """``$LENSENGINE_CACHE_DIR/<parts>`` when that is set, else ``user_cache_dir("lensengine")/<parts>``."""
    root = os.environ.get(CACHE_DIR_ENV) or platformdirs.user_cache_dir("lensengine")
    return Path(root).joinpath(*parts)
