"""Real face photos that installed packages ship, used by the built-in sample clip, tests and trainers.

- astronaut: Eileen Collins, NASA, public domain (scikit-image's ``skimage.data.astronaut``).
- grace_hopper: Grace Hopper, US Navy photo, public domain (matplotlib's sample data).
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

PHOTO_NAMES = ("astronaut", "grace_hopper")


@cache
def _load(name: str) -> np.ndarray:
    if name == "astronaut":
        from skimage import data

        return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    if name == "grace_hopper":
        from matplotlib import cbook

        path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f"could not read matplotlib's sample photo at {path}")
        return image
    raise KeyError(f"unknown photo {name!r}; known: {', '.join(PHOTO_NAMES)}")


def face_photo(name: str) -> np.ndarray:
    """A BGR uint8 copy of one of the offline face photos (see PHOTO_NAMES)."""
    return _load(name).copy()


def face_photos() -> dict[str, np.ndarray]:
    """All offline face photos by name, BGR uint8 copies."""
    return {name: face_photo(name) for name in PHOTO_NAMES}
