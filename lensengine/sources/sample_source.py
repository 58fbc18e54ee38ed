"""The built-in sample clip as a source (``sample`` and ``sample:N``)."""

from __future__ import annotations

import numpy as np

from lensengine.sources.base import EndOfStream, Source
from lensengine.sources.sample_clip import SampleClip, SampleFace

DEFAULT_SAMPLE_SIZE = (640, 480)
DEFAULT_SAMPLE_FPS = 30.0


class SampleSource(Source):
    """Frames of ``SampleClip``: 300 at 30 fps (10 s), then EndOfStream unless ``loop``.

    ``truth`` holds the ground truth (a list of SampleFace) of the frame ``read()`` returned last.
    """

    def __init__(
        self,
        size: tuple[int, int] | None = None,
        fps: float | None = None,
        loop: bool = False,
        faces: int | None = None,
    ) -> None:
        self._clip = SampleClip(size or DEFAULT_SAMPLE_SIZE, faces, fps or DEFAULT_SAMPLE_FPS)
        name = "sample" if faces is None else f"sample:{faces}"
        super().__init__(name, self._clip.size, self._clip.fps, live=False)
        self._loop = loop
        self._index = 0
        self.truth: list[SampleFace] = []

    @property
    def frame_count(self) -> int:
        return self._clip.frame_count

    def _read_raw(self) -> np.ndarray:
        if self._index >= self._clip.frame_count and not self._loop:
            raise EndOfStream(f"{self.name} has ended after {self._clip.frame_count} frames")
        frame, self.truth = self._clip.frame(self._index)
        self._index += 1
        return frame
