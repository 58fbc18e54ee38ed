"""Shared fixtures: the offline face photos and the verified face model."""

from __future__ import annotations

import textwrap
import uuid
from importlib import invalidate_caches

import numpy as np
import pytest

from lensengine.sources.face_photos import face_photo


@pytest.fixture(scope="session")
def astronaut_bgr() -> np.ndarray:
    return face_photo("astronaut")


@pytest.fixture(scope="session")
def hopper_bgr() -> np.ndarray:
    return face_photo("grace_hopper")


@pytest.fixture
def install_plugins(tmp_path, monkeypatch):
    """Install plugins the way pip would: a module plus a dist-info with a ``lensengine`` entry point, on sys.path.

    ``install_plugins({"entry_point_name": "module source", ...})``
    """

    def install(plugins: dict[str, str]) -> None:
        for name, source in plugins.items():
            module = f"lensengine_test_{name}_{uuid.uuid4().hex[:8]}"
            (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
            info = tmp_path / f"{module}-0.1.dist-info"
            info.mkdir()
            (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
            (info / "entry_points.txt").write_text(f"[lensengine]\n{name} = {module}\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        invalidate_caches()

    return install
