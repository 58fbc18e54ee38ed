"""``lensengine run``: webcam (or file, image, sample clip) -> lens -> virtual camera (or window, file, null).

Exit status: 0 when the input ended or ``--frames`` were written, 2 for a user error (one line on stderr),
130 after Ctrl-C (SIGINT), 143 after SIGTERM; the output file is finalised in every case.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from lensengine.pipeline.assemble import (
    DEFAULT_LANDMARKS_EVERY,
    DEFAULT_LENS,
    FALLBACK_LENS,
    EngineSettings,
    open_engine,
)
from lensengine.pipeline.controls import StdinControl


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 640x480") from None
    if not (16 <= w <= 7680 and 16 <= h <= 4320):
        raise argparse.ArgumentTypeError(f"{text!r} is out of range (16x16 to 7680x4320)")
    return w, h


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run a lens on a camera, file or the sample clip")
    p.add_argument(
        "--lens", default=None, help=f"lens name or pack path (default {DEFAULT_LENS}, else {FALLBACK_LENS})"
    )
    p.add_argument(
        "--input", default="0", help="camera index or device, video file, image, `sample` or `sample:N` (default 0)"
    )
    p.add_argument(
        "--output",
        default="virtualcam",
        help="virtualcam[:backend[:device]], window, null or a file .mp4/.avi/.mkv/.webm",
    )
    p.add_argument(
        "--size", type=parse_size, default=None, help="frame size WxH (camera request, sample and image size)"
    )
    p.add_argument("--fps", type=float, default=None, help="frame rate (camera request, sample; default 30)")
    p.add_argument("--max-faces", type=int, default=4, help="most faces tracked at once (default 4)")
    p.add_argument(
        "--no-small-faces",
        dest="small_faces",
        action="store_false",
        help="do not search for faces too small for the full-frame pass (saves about 1 ms a frame)",
    )
    p.add_argument(
        "--landmarks-every",
        type=int,
        default=DEFAULT_LANDMARKS_EVERY,
        metavar="N",
        help=f"run the face landmark model on 1 frame in N, following faces by optical flow between "
        f"(default {DEFAULT_LANDMARKS_EVERY}; 1: every frame, the most exact and the slowest)",
    )
    p.add_argument("--preview", action="store_true", help="also show the output in a window")
    p.add_argument("--stats", action="store_true", help="print a status line every second and a summary at exit")
    p.add_argument("--studio", action="store_true", help="also serve the control page (see `lensengine studio`)")
    p.add_argument("--frames", type=int, default=None, help="stop after N output frames")
    p.add_argument("--loop", action="store_true", help="loop a video file or the sample clip")
    p.add_argument("--face-model", default=None, help="path to face_landmarker.task (else env, cache, offline copy)")
    p.add_argument("--backend", default="auto", help="neural backend: auto, tensorrt, torch, onnxruntime")
    p.add_argument(
        "--superres",
        default="auto",
        help="super-resolution after the lens: an SR pack name, none, or auto (default: an installed SR pack "
        "that measured >= 1.5 dB over bicubic, used only for faces larger on screen than the lens's crop)",
    )
    p.add_argument(
        "--lens-timeout", type=float, default=1.0, help="seconds a lens may take before its frame passes through"
    )
    p.add_argument(
        "--lens-load-timeout",
        type=float,
        default=120.0,
        help="seconds a lens may take to load before the run stops with an error (120)",
    )
    p.add_argument(
        "--lens-threads",
        type=int,
        default=None,
        help="CPU threads of a neural lens (default: the cores less one, left to the face tracker; every core for "
        "a frame lens)",
    )
    p.add_argument(
        "--no-overlap",
        dest="overlap",
        action="store_false",
        help="track each frame and then lens it, in turn (default: track the next frame while lensing this one)",
    )
    realtime = p.add_mutually_exclusive_group()
    realtime.add_argument(
        "--realtime",
        dest="realtime",
        action="store_true",
        default=None,
        help="pace files in real time, dropping frames when slow (default for cameras, live outputs)",
    )
    realtime.add_argument(
        "--no-realtime",
        dest="realtime",
        action="store_false",
        help="process every frame in order (default for a file or sample into a file or null)",
    )
    p.set_defaults(handler=handle)


def handle(args) -> int:
    settings = EngineSettings(
        lens=args.lens,
        input=args.input,
        output=args.output,
        size=args.size,
        fps=args.fps,
        max_faces=args.max_faces,
        small_faces=args.small_faces,
        landmarks_every=args.landmarks_every,
        preview=args.preview,
        loop=args.loop,
        face_model=args.face_model,
        backend=args.backend,
        superres=args.superres,
        lens_timeout=args.lens_timeout,
        lens_load_timeout=args.lens_load_timeout,
        lens_threads=args.lens_threads,
        overlap=args.overlap,
        realtime=args.realtime,
        frames=args.frames,
        stats_every=1.0 if args.stats else None,
    )
    if args.studio:  # the page instead of the terminal's controls; same exit status
        from lensengine.cli.studio import run_with_studio

        return run_with_studio(settings)
    if sys.stdin is not None and sys.stdin.isatty():
        settings.controls = (StdinControl(sys.stdin),)
        print("lensengine: type a lens name or number + Enter to switch (n/p next/previous, Enter toggles, q quits)")
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum, _frame) -> None:
        received.append(signum)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    with open_engine(settings, stop) as loop:
        width, height = loop.source.size
        print(
            f"lensengine: {loop.source.name} -> {loop.lenses.name} -> {loop.sink.name} "
            f"({width}x{height} @ {loop.source.fps:g} fps; Ctrl-C stops)"
        )
        stats = loop.run()
    print(stats.summary_text() if args.stats else f"lensengine: {stats.frames} frames written to {loop.sink.name}")
    return 128 + received[0] if received else 0  # 130 after SIGINT, 143 after SIGTERM: interrupted, not complete
