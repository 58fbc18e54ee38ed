"""Write the pictures of the style lenses' recipe: training photos, held-out photos, a held-out video, paintings.

Everything comes from packages installable offline (fetched once into ``--downloads``, never committed):

- the Debian package ``opencv-doc`` (``apt-get download`` + ``dpkg -x``): its example photos (BSD-licensed
  OpenCV samples), ``starry_night.jpg`` (Van Gogh, 1889, public domain) and ``vtest.avi`` (a real street video);
- ``skimage.data``'s bundled photos (astronaut, coffee, cat, rocket, ...: public domain or CC0);
- Barack Obama and Joe Biden's official portraits (US government works) from the sdist of
  ``face_recognition==1.3.0``, as the thug_glasses recipe fetches them.

Written under OUT:

- ``content/``: the training photos (faces among them, since the lenses run on video calls);
- ``heldout/``: photos never trained on, for ``benchmarks/style.py``: OpenCV's fruits, home and building
  (Grace Hopper's portrait is added by the benchmark itself);
- ``heldout.avi``: the first HELDOUT_FRAMES frames of ``vtest.avi``, never trained on, for the flicker figure;
- ``starry_night.jpg``: the painting.

    python trainers/recipes/style_pictures.py data/style --downloads data/downloads
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
from skimage import data as skimage_data

from lensengine.sources.face_photos import face_photo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from thug_glasses_photos import fetch_portraits  # noqa: E402

OPENCV_DATA = "usr/share/doc/opencv-doc/examples/data"
OPENCV_TRAIN = (
    "aero1.jpg",
    "aero3.jpg",
    "aloeL.jpg",
    "apple.jpg",
    "baboon.jpg",
    "basketball1.png",
    "board.jpg",
    "box_in_scene.png",
    "butterfly.jpg",
    "Blender_Suzanne1.jpg",
    "ela_original.jpg",
    "graf1.png",
    "HappyFish.jpg",
    "leuvenA.jpg",
    "messi5.jpg",
    "orange.jpg",
    "rubberwhale1.png",
    "smarties.png",
    "squirrel_cls.jpg",
    "stuff.jpg",
)
OPENCV_HELDOUT = ("fruits.jpg", "home.jpg", "building.jpg")
SKIMAGE_TRAIN = ("coffee", "chelsea", "rocket", "immunohistochemistry", "hubble_deep_field")
HELDOUT_VIDEO = "vtest.avi"
HELDOUT_FRAMES = 60
PAINTING = "starry_night.jpg"


def fetch_opencv_doc(downloads: Path) -> Path:
    """The unpacked ``opencv-doc`` examples data folder (apt-get download + dpkg -x, once)."""
    folder = downloads / "opencv-doc"
    data = folder / OPENCV_DATA
    if not data.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", "opencv-doc"], cwd=folder, check=True)
        deb = next(folder.glob("opencv-doc_*.deb"))
        subprocess.run(["dpkg", "-x", deb.name, "."], cwd=folder, check=True)
    return data


def write_video_frames(video: Path, out: Path, frames: int) -> None:
    """The first ``frames`` frames of ``video`` as an MJPEG .avi (what a webcam streams)."""
    capture = cv2.VideoCapture(str(video))
    writer = None
    for _ in range(frames):
        ok, frame = capture.read()
        if not ok:
            break
        if writer is None:
            fourcc = cv2.VideoWriter_fourcc(*"MJPG")
            writer = cv2.VideoWriter(str(out), fourcc, 25.0, frame.shape[1::-1])
            writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 95)
        writer.write(frame)
    capture.release()
    if writer is None:
        raise SystemExit(f"{video} gave no frames")
    writer.release()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write content/, heldout/, heldout.avi and the painting in")
    parser.add_argument("--downloads", type=Path, required=True, help="where the fetched packages are kept")
    args = parser.parse_args(argv)
    data = fetch_opencv_doc(args.downloads)
    content, heldout = args.out / "content", args.out / "heldout"
    for folder in (content, heldout):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for name in OPENCV_TRAIN:
        shutil.copy(data / name, content / name)
    for name in OPENCV_HELDOUT:
        shutil.copy(data / name, heldout / name)
    for name in SKIMAGE_TRAIN:
        cv2.imwrite(str(content / f"{name}.png"), cv2.cvtColor(getattr(skimage_data, name)(), cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(content / "astronaut.png"), face_photo("astronaut"))
    for name, path in fetch_portraits(args.downloads).items():
        shutil.copy(path, content / name)
    write_video_frames(data / HELDOUT_VIDEO, args.out / "heldout.avi", HELDOUT_FRAMES)
    shutil.copy(data / PAINTING, args.out / PAINTING)
    print(f"{len(list(content.iterdir()))} training photos in {content}, {len(OPENCV_HELDOUT)} held out in {heldout}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
