"""Testing tools for lens authors: real face crops and landmarks, and one conformance check.

- ``check_lens(spec)``: checks a lens against the contract of ``lensengine.lens.FaceLens`` / ``FrameLens``
  (shapes, dtypes, colour order, no in-place surprises, a speed budget) and reports its median time.
- ``face_crop(name, size)``, ``face_batch(size)``, ``photo_faces()``: the offline photos' faces, found by the
  engine's tracker and cut by the engine's aligner.
- ``lensengine.testing.pytest_plugin`` (loaded by pytest through the ``pytest11`` entry point): the same as
  fixtures, ``photo_faces``, ``face_crop`` and ``face_batch``, plus a summary of every ``check_lens`` report.

Importing this package is cheap: numpy, OpenCV and MediaPipe load on first use.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "check_lens": "conformance",
    "LensConformanceError": "conformance",
    "LensReport": "conformance",
    "face_batch": "faces",
    "face_crop": "faces",
    "photo_faces": "faces",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"lensengine.testing.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'lensengine.testing' has no attribute {name!r}")
