"""Write the training photos of the neural ``thug_glasses`` lens: the astronaut photo and warped variants of it.

Only offline images are used. Grace Hopper is held out entirely (she is the evaluation face of
``benchmarks/quality.py``), so every photo written here shows the astronaut (Eileen Collins):

- the photo as it is, turned by -30..30 degrees and scaled 0.6..1.4 about the face (as the sample clip moves it);
- the same warps mirrored and recoloured (the sample clip's third face is made this way);
- darker, lighter, lower-contrast, blurred and grey versions (webcam light and focus).

``lensengine-train extract-faces`` then cuts the aligned crops; the trainer's own augmentation (zoom, rotation,
flip, colour, blur, noise, JPEG) varies them further at every step.

    python trainers/recipes/thug_glasses_photos.py data/thug_glasses/photos
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import cv2
import numpy as np

from lensengine.sources.face_photos import face_photo

TRAIN_PHOTO = "astronaut"
ROLLS_DEG = (-30.0, -15.0, 0.0, 15.0, 30.0)
SCALES = (0.6, 1.0, 1.4)
# The astronaut's face centre in the 512 x 512 photo (pixels), the point warps turn and scale about.
FACE_CENTRE = (224.0, 123.0)


def rolled_and_scaled(image: np.ndarray, roll_deg: float, scale: float) -> np.ndarray:
    """The image turned by ``roll_deg`` (positive: clockwise on screen) and scaled about the face centre."""
    matrix = cv2.getRotationMatrix2D(FACE_CENTRE, -roll_deg, scale)
    height, width = image.shape[:2]
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def recoloured(image: np.ndarray, hue_shift: int) -> np.ndarray:
    """The image with its hue turned by ``hue_shift`` (OpenCV hue units, 0..179)."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    hsv[..., 0] = (hsv[..., 0].astype(np.int32) + hue_shift) % 180
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)


def lighting_variants(image: np.ndarray) -> dict[str, np.ndarray]:
    """Darker, lighter, flat, blurred and grey versions of one image, by name."""
    grey = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    return {
        "dark": cv2.convertScaleAbs(image, alpha=0.55, beta=0),
        "light": cv2.convertScaleAbs(image, alpha=1.0, beta=60),
        "flat": cv2.convertScaleAbs(image, alpha=0.5, beta=70),
        "blur": cv2.GaussianBlur(image, (0, 0), 2.0),
        "grey": grey,
    }


def training_photos() -> dict[str, np.ndarray]:
    """Every training photo by file stem."""
    photo = face_photo(TRAIN_PHOTO)
    photos = {}
    for roll, scale in itertools.product(ROLLS_DEG, SCALES):
        warped = rolled_and_scaled(photo, roll, scale)
        stem = f"{TRAIN_PHOTO}_roll{roll:+03.0f}_scale{scale:.1f}"
        photos[stem] = warped
        photos[f"{stem}_mirrored_recoloured"] = recoloured(cv2.flip(warped, 1), hue_shift=25)
    for name, variant in lighting_variants(photo).items():
        photos[f"{TRAIN_PHOTO}_{name}"] = variant
    return photos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the PNG photos into")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    photos = training_photos()
    for stem, image in photos.items():
        cv2.imwrite(str(out / f"{stem}.png"), image)
    print(f"{len(photos)} training photos of the {TRAIN_PHOTO} written to {out}")


if __name__ == "__main__":
    main()
