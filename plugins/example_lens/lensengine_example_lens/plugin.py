"""Example lensengine plugin (entry point ``example_lens``): a face lens and a frame lens."""

from __future__ import annotations

import cv2
import numpy as np

from lensengine.hookspecs import hookimpl
from lensengine.lens import FACE, FRAME, LensSpec

BLOCKS = 16  # a pixelated face is BLOCKS x BLOCKS flat squares

# Sepia tones as a colour matrix in BGR order: rows make output B, G, R from input B, G, R.
SEPIA_BGR = np.array([[0.131, 0.534, 0.272], [0.168, 0.686, 0.349], [0.189, 0.769, 0.393]], np.float32)


class Pixelate:
    """Face lens: every face crop of the batch becomes BLOCKS x BLOCKS squares of its average colours."""

    def apply(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        size = crops.shape[1]
        pixelated = np.empty_like(crops)
        for i, crop in enumerate(crops):
            blocks = cv2.resize(crop, (BLOCKS, BLOCKS), interpolation=cv2.INTER_AREA)
            pixelated[i] = cv2.resize(blocks, (size, size), interpolation=cv2.INTER_NEAREST)
        return pixelated


class Sepia:
    """Frame lens: the whole picture in sepia tones (cv2.transform saturates at 255)."""

    def apply(self, frame: np.ndarray) -> np.ndarray:
        return cv2.transform(frame, SEPIA_BGR)


@hookimpl
def lensengine_lenses():
    return [
        LensSpec(name="example_pixelate", kind=FACE, create=Pixelate, description="Pixelates faces", crop_size=128),
        LensSpec(name="example_sepia", kind=FRAME, create=Sepia, description="Sepia tones for the whole frame"),
    ]
