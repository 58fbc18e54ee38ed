"""The paste of one lensed face back into a 1280x720 frame, alone on one thread (the pipeline's "blend" stage
runs beside the tracker and the frame reader, so its times there include their contention).

    python benchmarks/paste.py [--pack PACK] [--frames 60] [--repeats 20] [--out benchmarks/results]

The sample clip at 1280x720 with one face (about 390 x 420 px on screen): each frame is tracked, the face cut and
run through the lens as the engine does it, then ``compose.paste.paste_back`` is timed ``--repeats`` times on a
fresh copy of the frame. Median and p95 over every timing; results in <out>/paste-cpu.md and .json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import machine_info  # noqa: E402

from lensengine.compose.paste import paste_back  # noqa: E402
from lensengine.face.align import align_matrix, crop_face  # noqa: E402
from lensengine.face.tracker import FaceTracker  # noqa: E402
from lensengine.inference.preprocess import swap_rb  # noqa: E402
from lensengine.lenses.neural import NeuralLens  # noqa: E402
from lensengine.sources.sample_clip import SampleClip  # noqa: E402

SIZE = (1280, 720)
TARGET_MS = 1.0
DEFAULT_PACK = Path(__file__).resolve().parents[1] / "plugins/thug_glasses/lensengine_thug_glasses/packs/thug_glasses"


def lensed_faces(pack: Path, frames: int):
    """(frame, crop, lens output, matrix) of the sample clip's face, frame by frame."""
    lens = NeuralLens(pack, backend="onnxruntime")
    spec = lens.pack
    tracker = FaceTracker()
    clip = SampleClip(SIZE, faces=1)
    try:
        for index in range(frames):
            frame, _ = clip.frame(index)
            faces = tracker.track(frame, index * 33)
            if not faces:
                continue
            matrix = align_matrix(faces[0].landmarks, spec.crop_size, spec.margin)
            crop = crop_face(frame, matrix, spec.crop_size)
            rgb = spec.color_order == "RGB"
            out = lens.run(swap_rb(crop[None]) if rgb else crop[None].copy())[0]
            yield frame, crop, swap_rb(out) if rgb else out, matrix
    finally:
        tracker.close()
        lens.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK, help="face lens pack (the neural thug_glasses)")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args()
    times = []
    for frame, crop, out, matrix in lensed_faces(args.pack, args.frames):
        for _ in range(args.repeats):
            target = frame.copy()
            start = time.perf_counter()
            paste_back(target, crop, out, matrix)
            times.append((time.perf_counter() - start) * 1000.0)
    report = {
        "command": " ".join(["python benchmarks/paste.py", *sys.argv[1:]]),
        "machine": machine_info(),
        "pack": args.pack.name,
        "size": list(SIZE),
        "timings": len(times),
        "median_ms": float(np.median(times)),
        "p95_ms": float(np.percentile(times, 95)),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "paste-cpu.json").write_text(json.dumps(report, indent=2) + "\n")
    met = "met" if report["median_ms"] <= TARGET_MS else "**not met**"
    (args.out / "paste-cpu.md").write_text(
        "\n".join(
            [
                "# Paste of one face at 1280x720 (CPU, one thread)",
                "",
                f"Command: `{report['command']}`  ",
                f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} cores",
                "",
                f"Lens `{args.pack.name}`, the sample clip's face (about 390 x 420 px): median "
                f"{report['median_ms']:.3f} ms, p95 {report['p95_ms']:.3f} ms over {len(times)} pastes; "
                f"target <= {TARGET_MS:g} ms: {met}.",
                "",
            ]
        )
    )
    print(f"paste of one face at 1280x720: median {report['median_ms']:.3f} ms, p95 {report['p95_ms']:.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
