"""Write the training photos of the neural ``thug_glasses`` lens: many public-domain faces, fetched offline.

Grace Hopper is held out entirely (she is the evaluation face of ``benchmarks/quality.py``). Written here:

- the astronaut (Eileen Collins, ``skimage.data.astronaut``) as it is, turned by -30..30 degrees and scaled
  0.6..1.4 about the face (as the sample clip moves it), the same warps mirrored and recoloured, and darker,
  lighter, lower-contrast, blurred and grey versions (webcam light and focus): 35 photos;
- with ``--downloads DIR`` (fetched there once, never committed):
  - the 1927 Solvay conference photo (Debian ``visp-images-data``, ``apt-get download`` + ``dpkg -x``; public
    domain): its 30 faces, each box of ``ViSP-images/faces/ground_truth_detection.txt`` cut at 3.2x its size
    and enlarged to 320 px, where MediaPipe's FaceLandmarker finds every one (grey faces; the trainer's
    ``--tint`` gives them colour casts);
  - Barack Obama (4 photos) and Joe Biden (official portraits, US government works) from the sdist of
    ``face_recognition==1.3.0`` (``pip download --no-deps --no-binary :all:``), each also turned by -25 and
    +25 degrees.

``lensengine-train extract-faces`` then cuts the aligned crops; the trainer's own augmentation (zoom, rotation,
flip, colour, tint, lighting, blur, noise, JPEG) varies them further at every step.

    python trainers/recipes/thug_glasses_photos.py data/thug_glasses/photos --downloads data/downloads
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import tarfile
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


VISP_PACKAGE = "visp-images-data"
VISP_FACES = "usr/share/visp-images-data/ViSP-images/faces"
SOLVAY_PHOTO = "1280px-Solvay_conference_1927.png"
SOLVAY_BOX_SCALE = 3.2  # face box -> cut square: the face with the context FaceLandmarker needs
SOLVAY_SIDE = 320
FACE_RECOGNITION = "face_recognition==1.3.0"
PORTRAITS = ("obama.jpg", "obama2.jpg", "obama3.jpg", "obama_partial_face.jpg", "biden.jpg")
PORTRAIT_ROLLS_DEG = (-25.0, 25.0)


def fetch_visp(downloads: Path) -> Path:
    """The unpacked ``visp-images-data`` faces folder (apt-get download + dpkg -x, once)."""
    unpacked = downloads / "visp"
    faces = unpacked / VISP_FACES
    if not faces.is_dir():
        downloads.mkdir(parents=True, exist_ok=True)
        if not list(downloads.glob(f"{VISP_PACKAGE}_*.deb")):
            subprocess.run(["apt-get", "download", VISP_PACKAGE], cwd=downloads, check=True)
        deb = sorted(downloads.glob(f"{VISP_PACKAGE}_*.deb"))[-1]
        subprocess.run(["dpkg", "-x", str(deb), str(unpacked)], check=True)
    return faces


def fetch_portraits(downloads: Path) -> dict[str, Path]:
    """The face_recognition sdist's test portraits by file name (pip download, once)."""
    folder = downloads / "face_recognition"
    if not all((folder / name).is_file() for name in PORTRAITS):
        downloads.mkdir(parents=True, exist_ok=True)
        if not list(downloads.glob("face_recognition-1.3.0.tar.gz")):
            pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", FACE_RECOGNITION]
            subprocess.run([*pip, "-d", str(downloads)], check=True)
        folder.mkdir(exist_ok=True)
        with tarfile.open(downloads / "face_recognition-1.3.0.tar.gz") as archive:
            for member in archive.getmembers():
                if member.isfile() and Path(member.name).name in PORTRAITS and "test_images" in member.name:
                    (folder / Path(member.name).name).write_bytes(archive.extractfile(member).read())
    return {name: folder / name for name in PORTRAITS}


def solvay_boxes(ground_truth: Path) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) face boxes of ``ground_truth_detection.txt``: blocks ``detection_i`` of 4 ``row col``."""
    boxes, corners = [], []
    for line in ground_truth.read_text().splitlines() + ["detection_end"]:
        if line.startswith("detection"):
            if corners:
                rows, cols = zip(*corners)
                boxes.append((min(cols), min(rows), max(cols), max(rows)))
            corners = []
        elif line.strip():
            row, col = (float(v) for v in line.split())
            corners.append((row, col))
    return boxes


def solvay_faces(faces_folder: Path) -> dict[str, np.ndarray]:
    """Each Solvay face box cut at 3.2x its size about its centre and enlarged to 320 px, by stem."""
    photo = cv2.imread(str(faces_folder / SOLVAY_PHOTO), cv2.IMREAD_COLOR)
    if photo is None:
        raise SystemExit(f"cannot read {faces_folder / SOLVAY_PHOTO}")
    photos = {}
    for i, (x0, y0, x1, y1) in enumerate(solvay_boxes(faces_folder / "ground_truth_detection.txt")):
        side = SOLVAY_BOX_SCALE * max(x1 - x0, y1 - y0)
        scale = SOLVAY_SIDE / side
        cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        matrix = np.array([[scale, 0.0, SOLVAY_SIDE / 2.0 - scale * cx], [0.0, scale, SOLVAY_SIDE / 2.0 - scale * cy]])
        photos[f"solvay_{i:02d}"] = cv2.warpAffine(
            photo, matrix, (SOLVAY_SIDE, SOLVAY_SIDE), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
        )
    return photos


def portrait_photos(paths: dict[str, Path]) -> dict[str, np.ndarray]:
    """The portraits as they are and turned by -25 and +25 degrees about their centre."""
    photos = {}
    for name, path in paths.items():
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise SystemExit(f"cannot read {path}")
        stem = Path(name).stem
        photos[stem] = image
        height, width = image.shape[:2]
        for roll in PORTRAIT_ROLLS_DEG:
            matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), -roll, 1.0)
            photos[f"{stem}_roll{roll:+03.0f}"] = cv2.warpAffine(
                image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
            )
    return photos


# What the pack's provenance says it was trained on (``--write-provenance``).
SOURCES = {
    "astronaut": "skimage.data.astronaut (Eileen Collins, NASA, public domain): 35 photos (the photo, rolls -30..30 "
    "degrees x scales 0.6..1.4, those mirrored and hue-shifted, darker/lighter/flat/blurred/grey)",
    "solvay_1927": "Debian visp-images-data 3.5.0-1, ViSP-images/faces/1280px-Solvay_conference_1927.png (public "
    "domain): 30 grey faces, each ground_truth_detection.txt box cut at 3.2x and enlarged to 320 px",
    "obama_biden": "PyPI sdist face_recognition 1.3.0, tests/test_images obama.jpg, obama2.jpg, obama3.jpg, "
    "obama_partial_face.jpg, biden.jpg (official portraits, US government works): each as is and rolled -25/+25",
    "held_out": "grace_hopper (matplotlib sample data) and the sample clip's frames of her: never in training",
}


def write_provenance(pack: Path, faces: Path) -> None:
    """Add ``provenance.data.sources`` (SOURCES and the face crops per source) to the pack's lens.toml."""
    import tomli_w
    import tomllib

    from lensengine.packs import load_pack

    stems = [path.stem for path in faces.glob("*.png")]
    counts = {
        "astronaut": sum(s.startswith("astronaut") for s in stems),
        "solvay_1927": sum(s.startswith("solvay") for s in stems),
        "obama_biden": sum(s.startswith(("obama", "biden")) for s in stems),
    }
    manifest = pack / "lens.toml"
    document = tomllib.loads(manifest.read_text(encoding="utf-8"))
    data = document.setdefault("provenance", {}).setdefault("data", {})
    data["sources"] = SOURCES
    data["face_crops"] = {**counts, "total": len(stems)}
    manifest.write_text(tomli_w.dumps(document), encoding="utf-8")
    load_pack(pack)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the photos into (with --write-provenance: the faces)")
    parser.add_argument(
        "--write-provenance", type=Path, metavar="PACK", help="only record the sources of the face folder OUT in PACK"
    )
    parser.add_argument(
        "--downloads", type=Path, help="folder to fetch visp-images-data and face_recognition into (and reuse)"
    )
    args = parser.parse_args()
    if args.write_provenance:
        write_provenance(args.write_provenance, args.out)
        return
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    photos = training_photos()
    if args.downloads:
        photos.update(solvay_faces(fetch_visp(args.downloads)))
        photos.update(portrait_photos(fetch_portraits(args.downloads)))
    for stem, image in photos.items():
        cv2.imwrite(str(out / f"{stem}.png"), image)
    print(f"{len(photos)} training photos written to {out}")


if __name__ == "__main__":
    main()
