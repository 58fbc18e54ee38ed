"""The README's picture of the lenses at work: one frame of the built-in sample clip (three faces) as it comes,
through the neural ``thug_glasses`` and through ``thug_glasses_classic``, side by side, each run by the engine
(offline, every frame, default options) into a lossless video.

    python scripts/readme_picture.py [--frame 45] [--size 640x480] [--out docs/lenses-at-work.jpg]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import cv2
import numpy as np

from lensengine.cli.run import parse_size
from lensengine.pipeline.assemble import EngineSettings, open_engine
from lensengine.sources import open_source

INPUT = "sample:3"
LENSES = ("thug_glasses", "thug_glasses_classic")


def engine_frame(lens: str, size: tuple[int, int], index: int, work: Path) -> np.ndarray:
    """Frame ``index`` of the sample clip as the engine outputs it with ``lens``."""
    video = work / f"{lens}.mkv"  # FFV1: lossless
    settings = EngineSettings(lens=lens, input=INPUT, output=str(video), size=size, realtime=False, frames=index + 1)
    with open_engine(settings) as loop:
        loop.run()
    with open_source(str(video)) as written:
        return [written.read() for _ in range(index + 1)][index]


def labelled(frame: np.ndarray, text: str) -> np.ndarray:
    out = frame.copy()
    cv2.rectangle(out, (0, 0), (out.shape[1], 28), (0, 0, 0), -1)
    cv2.putText(out, text, (8, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frame", type=int, default=45)
    parser.add_argument("--size", type=parse_size, default=(640, 480))
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs/lenses-at-work.jpg")
    args = parser.parse_args()
    with open_source(INPUT, size=args.size) as source:
        original = [source.read() for _ in range(args.frame + 1)][args.frame]
    with tempfile.TemporaryDirectory() as work:
        panels = [labelled(original, "input (sample clip)")]
        panels += [labelled(engine_frame(lens, args.size, args.frame, Path(work)), lens) for lens in LENSES]
    cv2.imwrite(str(args.out), np.hstack(panels), [cv2.IMWRITE_JPEG_QUALITY, 90])
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
