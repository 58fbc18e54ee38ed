"""Face tracking cost and quality with the landmark model on every frame or on 1 frame in N (optical flow between).

    python benchmarks/tracking.py [--frames 150] [--every 1 2 3] [--out benchmarks/results]

For the sample clip (640x480 with 1 face, 1280x720 with 3 faces) and each ``landmarks_every`` it reports the
tracker's time per frame (mean, median, p95: the mean is what a frame costs on average, the p95 the frames the
model runs on), and how far the eye landmarks land from those of the model on every frame (median and p95 px,
raw landmarks). Then the jitter of a still face: Grace Hopper's photo under fresh camera-like noise (sigma 6)
in every frame, the standard deviation of each smoothed landmark over 50 frames, averaged (px). One thread,
nothing else running. Results go to <out>/tracking-cpu.json and .md.
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

from lensengine.face.tracker import FaceTracker  # noqa: E402
from lensengine.sources import open_source  # noqa: E402
from lensengine.sources.face_photos import face_photo  # noqa: E402

CASES = [((640, 480), 1), ((1280, 720), 3)]
EYE_POINTS = [33, 133, 362, 263, 168]  # eye corners and the point between the eyes
FRAME_MS = 33
WARMUP = 20


def clip(size, faces: int, frames: int) -> list[np.ndarray]:
    with open_source(f"sample:{faces}", size=size) as source:
        return [source.read() for _ in range(frames)]


def tracked(frames: list[np.ndarray], every: int, smoothing=None) -> tuple[list, np.ndarray]:
    """Each frame's faces and the tracker's milliseconds per frame."""
    options = {} if smoothing == "default" else {"smoothing": None}
    times, faces = [], []
    with FaceTracker(landmarks_every=every, **options) as tracker:
        for index, frame in enumerate(frames):
            started = time.perf_counter()
            faces.append(tracker.track(frame, index * FRAME_MS))
            times.append((time.perf_counter() - started) * 1000.0)
    return faces, np.array(times[WARMUP:])


def eye_errors(reference: list, faces: list) -> np.ndarray:
    errors = []
    for want, have in zip(reference[WARMUP:], faces[WARMUP:]):
        by_id = {face.id: face.landmarks for face in want}
        for face in have:
            if face.id in by_id:
                errors.append(np.linalg.norm(face.landmarks[EYE_POINTS] - by_id[face.id][EYE_POINTS], axis=1).mean())
    return np.array(errors)


def still_face_jitter(every: int, frames: int = 60) -> float:
    photo = face_photo("grace_hopper")
    rng = np.random.default_rng(3)
    noisy = [np.clip(photo + rng.normal(0.0, 6.0, photo.shape), 0, 255).astype(np.uint8) for _ in range(frames)]
    faces, _ = tracked(noisy, every, smoothing="default")
    path = np.array([found[0].landmarks for found in faces[10:]])
    return float(path.std(axis=0).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--every", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args()
    rows = []
    for size, faces in CASES:
        frames = clip(size, faces, args.frames)
        reference = None
        for every in args.every:
            found, times = tracked(frames, every)
            reference = reference if reference is not None else found
            errors = eye_errors(reference, found)
            row = {
                "size": f"{size[0]}x{size[1]}",
                "faces": faces,
                "every": every,
                "ms_mean": float(times.mean()),
                "ms_median": float(np.median(times)),
                "ms_p95": float(np.percentile(times, 95)),
                "eye_error_median_px": float(np.median(errors)),
                "eye_error_p95_px": float(np.percentile(errors, 95)),
            }
            print(row, flush=True)
            rows.append(row)
    jitter = {every: still_face_jitter(every) for every in args.every}
    print("still-face jitter", jitter)
    meta = {"command": "python " + " ".join(sys.argv), "machine": machine_info(), "frames": args.frames}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "tracking-cpu.json").write_text(json.dumps({"meta": meta, "rows": rows, "jitter": jitter}, indent=2))
    lines = [
        "# Face tracking: the landmark model on every frame or on 1 frame in N",
        "",
        f"Command: `{meta['command']}`  ",
        f"Machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores; one thread, nothing else running. "
        f"Sample clip, {args.frames} frames, the first {WARMUP} left out.",
        "",
        "| size | faces | landmarks every | ms per frame mean / median / p95 "
        "| eye error vs every frame median / p95 px |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['faces']} | {r['every']} | {r['ms_mean']:.1f} / {r['ms_median']:.1f} / "
            f"{r['ms_p95']:.1f} | {r['eye_error_median_px']:.2f} / {r['eye_error_p95_px']:.2f} |"
        )
    lines += [
        "",
        "The reference is the model's own raw landmarks on every frame. Where the model runs with N > 1, its landmarks "
        "are averaged with the carried ones (`fuse_with_carried`), so part of the difference is the model's own "
        "frame-to-frame wobble, which the fusion halves.",
        "",
        "Still face (Grace Hopper's photo, fresh noise of sigma 6 in every frame, smoothed landmarks): mean standard "
        "deviation of a landmark over 50 frames, px:",
        "",
        "| landmarks every | jitter px |",
        "|---|---|",
        *(f"| {every} | {value:.3f} |" for every, value in jitter.items()),
    ]
    (args.out / "tracking-cpu.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out / 'tracking-cpu.md'} and .json")


if __name__ == "__main__":
    main()
