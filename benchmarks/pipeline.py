"""End-to-end pipeline speed on the built-in sample clip, stage by stage, beside the naive loop.

    python benchmarks/pipeline.py [--frames 200] [--repeats 3] [--lens thug_glasses] [--no-baseline]
                                  [--out benchmarks/results]

For each size (640x480, 1280x720) and face count (sample:1, sample:3) it records the built-in sample clip once into
an MJPEG .avi, as a UVC webcam delivers 720p (drawing the synthetic clip costs 5-14 ms a frame, which no camera
charges the engine; decoding the MJPEG costs what a camera's frames cost, about 2 ms at 720p). On that file it runs
the engine offline (every frame, output null, default options) and records frames per second, the capture-to-output
latency and the median / p95 of every stage (capture, track, align, lens, superres, blend, output). Then it runs
the same clip in real time, paced at 30 fps as a camera would deliver it (capture thread, newest frame wins), and
records the output rate, the frames dropped and the capture-to-output latency. For a neural lens it then runs the
peer baseline (``naive_loop.py``: the loop a user would write with the same MediaPipe and ONNX models) on the same
frames, in the same process, and reports lensengine's throughput as a multiple of it. Stage times overlap (the
tracker runs a frame ahead in its own thread), so they add up to more than a frame's time.
Each case runs ``--repeats`` times one after the other (3): the tables give the run with the median offline fps
for the stages, and the median of every rate, drop share, latency and ratio over the runs, with their range;
every run's figures are in the JSON. Results go to <out>/<name>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from group_faces import write_clip  # noqa: E402
from machine_info import machine_info  # noqa: E402
from naive_loop import run_naive  # noqa: E402

from lensengine.pipeline.assemble import EngineSettings, open_engine  # noqa: E402
from lensengine.sources import open_source  # noqa: E402

CASES = [((640, 480), 1), ((640, 480), 3), ((1280, 720), 1), ((1280, 720), 3)]
ENGINE_STAGES = ("align", "lens", "superres", "blend")


def parse_cases(text: str) -> list[tuple[tuple[int, int], int]]:
    cases = []
    for case in text.split(","):
        size, _, faces = case.partition(":")
        width, _, height = size.partition("x")
        cases.append(((int(width), int(height)), int(faces or 1)))
    return cases


SAMPLE_MAX_FACES = 3  # the sample clip's limit; more faces come from group_faces' scenes


def case_input(faces: int, size: tuple[int, int], work: Path) -> str:
    """A video file of the case: the sample clip (up to 3 faces) recorded as MJPEG, else a group scene."""
    if faces > SAMPLE_MAX_FACES:
        path = work / f"group{faces}.avi"
        return str(path if path.exists() else write_clip(path, faces, 90))
    path = work / f"sample{faces}-{size[0]}x{size[1]}.avi"
    return str(path if path.exists() else record_sample(faces, size, path))


def record_sample(faces: int, size: tuple[int, int], path: Path) -> Path:
    """The whole sample clip with ``faces`` faces at ``size``, written once as MJPEG (OpenCV's quality 95)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), REALTIME_FPS, size)
    try:
        with open_source(f"sample:{faces}", size=size) as source:
            for _ in range(source.frame_count):
                writer.write(source.read())
    finally:
        writer.release()
    return path


REALTIME_FPS = 30.0
REALTIME_SECONDS = 6.0


class WarmUp:
    """A loop control that forgets the stats once ``frames`` frames were output (a real-time run cannot be
    stopped and restarted, its capture thread ends with it). The capture thread's drop count is cumulative, so
    the drops seen at the reset are remembered."""

    def __init__(self, frames: int) -> None:
        self.frames, self.stats, self.dropped_before = frames, None, None

    def poll_events(self) -> list:
        if self.dropped_before is None and self.stats is not None and self.stats.frames >= self.frames:
            self.dropped_before = self.stats.dropped
            self.stats.reset()
        return []


def run_realtime(source_spec: str, size, lens: str, backend: str, faces: int, lens_threads: int | None = None) -> dict:
    """The clip paced at REALTIME_FPS for REALTIME_SECONDS (after a second of warm-up): what a camera user gets."""
    warm_up = WarmUp(int(REALTIME_FPS))
    settings = EngineSettings(
        lens=lens,
        input=source_spec,
        output="null",
        size=size,
        fps=REALTIME_FPS,
        realtime=True,
        loop=True,
        backend=backend,
        max_faces=max(4, faces),
        lens_threads=lens_threads,
        controls=(warm_up,),
    )
    with open_engine(settings) as loop:
        warm_up.stats = loop.stats
        loop.max_frames = int(REALTIME_FPS * REALTIME_SECONDS)
        stats = loop.run().summary()
    total = stats["total"]
    dropped = total["dropped"] - (warm_up.dropped_before or 0)
    offered = total["frames"] + dropped
    return {
        "fps": total["fps"],
        "dropped_share": dropped / offered if offered else 0.0,
        "latency_median_ms": stats["latency"]["median"],
        "latency_p95_ms": stats["latency"]["p95"],
    }


def run_case(
    size,
    faces,
    lens,
    frames,
    warmup,
    baseline: bool,
    backend: str = "auto",
    work: Path = Path("."),
    lens_threads: int | None = None,
) -> dict:
    source_spec = case_input(faces, size, work)
    settings = EngineSettings(
        lens=lens,
        input=source_spec,
        output="null",
        size=size,
        realtime=False,
        frames=warmup + frames,
        loop=True,
        backend=backend,
        max_faces=max(4, faces),
        lens_threads=lens_threads,
    )
    with open_engine(settings) as loop:
        loop.max_frames = warmup
        loop.run()
        loop.stats.reset()
        loop.max_frames = frames
        stats = loop.run().summary()
        pack = loop.lenses.spec.pack
    engine_ms = sum(stats[s]["median"] for s in ENGINE_STAGES if s in stats)
    row = {"size": f"{size[0]}x{size[1]}", "faces": faces, "stages": stats, "engine_ms_excl_tracker": engine_ms}
    row["realtime"] = run_realtime(source_spec, size, lens, backend, faces, lens_threads)
    if baseline and pack is not None:
        with open_source(source_spec, size=size, loop=True) as source:
            clip = [source.read() for _ in range(frames + 1)]
        row["naive"] = run_naive(clip, pack.root)
        row["speedup"] = stats["total"]["fps"] / row["naive"]["fps"]
    return row


def over_runs(runs: list[dict]) -> dict:
    """One row for a case run several times: the stages of the run with the median offline fps, the median (and
    the range) of every real-time and baseline figure, and every run."""
    by_fps = sorted(runs, key=lambda r: r["stages"]["total"]["fps"])
    row = dict(by_fps[(len(by_fps) - 1) // 2])
    row["runs"] = runs
    row["realtime"] = {key: spread([r["realtime"][key] for r in runs]) for key in runs[0]["realtime"]}
    if "naive" in runs[0]:
        row["naive"] = {key: spread([r["naive"][key] for r in runs]) for key in runs[0]["naive"]}
        row["speedup"] = spread([r["speedup"] for r in runs])
    row["fps"] = spread([r["stages"]["total"]["fps"] for r in runs])
    return row


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def cell(figure: dict, digits: int = 1, scale: float = 1.0, suffix: str = "") -> str:
    """'median (min-max)' of a spread, or the median alone for a single run."""
    median, low, high = (figure[k] * scale for k in ("median", "min", "max"))
    if low == high:
        return f"{median:.{digits}f}{suffix}"
    return f"{median:.{digits}f}{suffix} ({low:.{digits}f}-{high:.{digits}f})"


def to_markdown(results: list[dict], meta: dict) -> str:
    stages = ("capture", "track", "align", "lens", "superres", "blend", "output")
    lines = [
        "# Pipeline benchmark (CPU)",
        "",
        f"Command: `{meta['command']}`  ",
        f"Machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores, Python {meta['machine']['python']}  ",
        f"Lens: {meta['lens']}; sample clip recorded as MJPEG .avi, output null, every frame processed; "
        f"{meta['frames']} frames per case after {meta['warmup']} warm-up frames, {meta['repeats']} runs of each case. "
        "Stage cells: median / p95 ms, from the run with the median fps; other cells: median over the runs "
        "(range).",
        "",
        "Offline (every frame, as fast as it goes; frames are read ahead, so their waiting is not a latency):",
        "",
        "| size | faces | fps (range) | " + " | ".join(stages) + " | engine stages excl. tracker |",
        "|---|---|---|" + "---|" * len(stages) + "---|",
    ]
    for r in results:
        s = r["stages"]
        cells = [f"{s[x]['median']:.2f} / {s[x]['p95']:.2f}" if x in s else "-" for x in stages]
        lines.append(
            f"| {r['size']} | {r['faces']} | {cell(r['fps'])} | "
            + " | ".join(cells)
            + f" | {r['engine_ms_excl_tracker']:.2f} |"
        )
    lines += [
        "",
        f"Real time (the clip paced at {REALTIME_FPS:.0f} fps like a camera, newest frame wins, "
        f"{REALTIME_SECONDS:.0f} s after 1 s of warm-up):",
        "",
        "| size | faces | output fps | frames dropped | capture-to-output latency median / p95 ms |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        t = r["realtime"]
        lines.append(
            f"| {r['size']} | {r['faces']} | {cell(t['fps'])} | {cell(t['dropped_share'], scale=100, suffix='%')} | "
            f"{cell(t['latency_median_ms'])} / {cell(t['latency_p95_ms'])} |"
        )
    baseline = [r for r in results if "naive" in r]
    if baseline:
        lines += [
            "",
            "Beside the naive loop (`naive_loop.py`: same MediaPipe and ONNX models, one thread, box crops, "
            "float32 full-frame feathered paste), same frames, same process:",
            "",
            "| size | faces | lensengine fps | naive fps | lensengine / naive | naive latency median / p95 ms |",
            "|---|---|---|---|---|---|",
        ]
        for r in baseline:
            n = r["naive"]
            lines.append(
                f"| {r['size']} | {r['faces']} | {cell(r['fps'])} | {cell(n['fps'])} | "
                f"{cell(r['speedup'], 2, suffix='x')} | {cell(n['latency_median_ms'])} / {cell(n['latency_p95_ms'])} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each case; medians are reported (3)")
    parser.add_argument("--lens", default="thug_glasses")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false", help="skip the naive loop")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--name", default="pipeline-cpu", help="result file name without extension")
    parser.add_argument("--cases", help="WxH:FACES,... instead of the default cases (e.g. 1920x1080:5)")
    parser.add_argument("--backend", default="auto", help="neural backend (default auto)")
    parser.add_argument("--lens-threads", type=int, help="CPU threads of the lens backend (default: cores less one)")
    args = parser.parse_args()
    results = []
    work = Path(tempfile.mkdtemp(prefix="lensengine-pipeline-"))
    for size, faces in parse_cases(args.cases) if args.cases else CASES:
        runs = []
        for _ in range(max(1, args.repeats)):
            r = run_case(
                size, faces, args.lens, args.frames, args.warmup, args.baseline, args.backend, work, args.lens_threads
            )
            naive = f", naive {r['naive']['fps']:.1f} fps ({r['speedup']:.2f}x)" if "naive" in r else ""
            print(
                f"{r['size']} faces={faces}: {r['stages']['total']['fps']:.1f} fps, "
                f"track {r['stages'].get('track', {}).get('median', 0):.2f} ms, "
                f"engine excl. tracker {r['engine_ms_excl_tracker']:.2f} ms{naive}; real time "
                f"{r['realtime']['fps']:.1f} fps, latency p95 {r['realtime']['latency_p95_ms']:.1f} ms",
                flush=True,
            )
            runs.append(r)
        results.append(over_runs(runs))
    meta = {
        "command": "python " + " ".join(sys.argv),
        "machine": machine_info(),
        "lens": args.lens,
        "backend": args.backend,
        "lens_threads": args.lens_threads,
        "frames": args.frames,
        "warmup": args.warmup,
        "repeats": max(1, args.repeats),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    (args.out / f"{args.name}.md").write_text(to_markdown(results, meta))
    print(f"wrote {args.out / args.name}.md and .json")


if __name__ == "__main__":
    main()
