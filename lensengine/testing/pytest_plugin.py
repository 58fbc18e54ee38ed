"""pytest plugin for lens authors (entry point ``pytest11``: ``lensengine``), active wherever lensengine is installed.

Fixtures (session-scoped; MediaPipe runs once, on first use, never at import):

- ``photo_faces``: photo name -> (BGR photo, (478, 2) float32 landmarks in photo pixels), read-only.
- ``face_crop``: ``face_crop(name, size, roll_degrees=0.0, margin=0.35) -> (crop, landmarks in crop pixels)``.
- ``face_batch``: ``face_batch(size, margin=0.35) -> ((N, S, S, 3) uint8 BGR crops, (N, 478, 2) landmarks)``.

Each ``lensengine.testing.check_lens`` report of the run is printed in the terminal summary.
"""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(scope="session")
def photo_faces():
    from lensengine.testing.faces import photo_faces

    return photo_faces()


@pytest.fixture(scope="session")
def face_crop(photo_faces):
    from lensengine.testing.faces import face_crop

    return face_crop


@pytest.fixture(scope="session")
def face_batch(photo_faces):
    from lensengine.testing.faces import face_batch

    return face_batch


def pytest_terminal_summary(terminalreporter) -> None:
    conformance = sys.modules.get("lensengine.testing.conformance")  # loaded only if a test called check_lens
    if conformance is None or not conformance.REPORTS:
        return
    terminalreporter.section("lensengine check_lens")
    for report in conformance.REPORTS:
        terminalreporter.write_line(str(report))
