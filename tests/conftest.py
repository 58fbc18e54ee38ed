"""Shared fixtures: the offline face photos and the verified face model."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.face_photos import face_photo


@pytest.fixture(scope="session")
def astronaut_bgr() -> np.ndarray:
    return face_photo("astronaut")


@pytest.fixture(scope="session")
def hopper_bgr() -> np.ndarray:
    return face_photo("grace_hopper")
