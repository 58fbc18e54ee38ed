"""Still images as a stream: the same picture, read once, handed out again and again."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine.sources.base import Source
from lensengine.sources.frame_format import to_bgr

DEFAULT_IMAGE_FPS = 30.0


def read_image(path: Path) -> np.ndarray:
    """The image at ``path`` as OpenCV decodes it unchanged (gray, BGR or BGRA; 8 or 16 bit).

    Reads the bytes with numpy so that paths OpenCV cannot open itself (non-ASCII names on Windows) work too.
    """
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as error:
        reason = error.strerror or error
        raise LensEngineError(f"cannot read image {path}: {reason}; check the path and its permissions") from None
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise LensEngineError(f"{path} is not an image OpenCV can decode; give a PNG, JPEG, BMP, TIFF or WebP file")
    return image


class StillImageSource(Source):
    """One image repeated as a stream at ``fps`` (30 unless given), resized to ``size`` when given."""

    def __init__(self, path: str | Path, size: tuple[int, int] | None = None, fps: float | None = None) -> None:
        path = Path(path)
        if not path.is_file():
            raise LensEngineError(f"image file {path} does not exist; check the path")
        image = to_bgr(read_image(path))
        height, width = image.shape[:2]
        super().__init__(str(path), size or (width, height), fps or DEFAULT_IMAGE_FPS, live=False)
        self._image: np.ndarray | None = self._fit(image)

    def _read_raw(self) -> np.ndarray:
        # A copy each time: the engine draws into the frames it is given.
        return self._image.copy()

    def _release(self) -> None:
        self._image = None
