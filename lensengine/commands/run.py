"""``lensengine run``: webcam (or file, image, sample clip) -> lens -> virtual camera (or window, file, null)."""

from __future__ import annotations

import signal
import threading
from contextlib import ExitStack

from lensengine.errors import LensEngineError

DEFAULT_LENS = "thug_glasses"
FALLBACK_LENS = "thug_glasses_classic"


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise LensEngineError(f"--size {text!r} is not WIDTHxHEIGHT, e.g. 640x480") from None
    if not (16 <= w <= 7680 and 16 <= h <= 4320):
        raise LensEngineError(f"--size {text!r} is out of range (16x16 to 7680x4320)")
    return w, h


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run a lens on a camera, file or the sample clip")
    p.add_argument("--lens", default=None, help=f"lens name or pack path (default {DEFAULT_LENS}, else {FALLBACK_LENS})")
    p.add_argument("--input", default="0", help="camera index or device, video file, image, `sample` or `sample:N` (default 0)")
    p.add_argument("--output", default="virtualcam", help="virtualcam[:backend[:device]], window, null or a file .mp4/.avi/.mkv/.webm")
    p.add_argument("--size", type=parse_size, default=None, help="frame size WxH (camera request, sample and image size)")
    p.add_argument("--fps", type=float, default=None, help="frame rate (camera request, sample; default 30)")
    p.add_argument("--max-faces", type=int, default=4, help="most faces tracked at once (default 4)")
    p.add_argument("--preview", action="store_true", help="also show the output in a window")
    p.add_argument("--stats", action="store_true", help="print a status line every second and a summary at exit")
    p.add_argument("--frames", type=int, default=None, help="stop after N output frames")
    p.add_argument("--loop", action="store_true", help="loop a video file or the sample clip")
    p.add_argument("--face-model", default=None, help="path to face_landmarker.task (else env, cache, offline copy)")
    p.add_argument("--backend", default="auto", help="neural backend: auto, tensorrt, torch, onnxruntime")
    p.add_argument("--lens-timeout", type=float, default=1.0, help="seconds a lens may take before its frame passes through")
    realtime = p.add_mutually_exclusive_group()
    realtime.add_argument("--realtime", dest="realtime", action="store_true", default=None,
                          help="pace files in real time and drop frames when slow (default for cameras and live outputs)")
    realtime.add_argument("--no-realtime", dest="realtime", action="store_false",
                          help="process every frame in order (default for file/sample into a file or null)")
    p.set_defaults(handler=handle)


def _default_lens(catalogue) -> str:
    names = {s.name for s in catalogue}
    return DEFAULT_LENS if DEFAULT_LENS in names else FALLBACK_LENS


def handle(args) -> int:
    from lensengine.catalogue import lens_catalogue, resolve_lens
    from lensengine.frame_loop import FrameLoop
    from lensengine.frame_processor import FrameProcessor
    from lensengine.lens_controller import LensController
    from lensengine.plugin_manager import load_plugins
    from lensengine.sinks import open_sink
    from lensengine.sinks.tee import TeeSink
    from lensengine.sources import open_source
    from lensengine.stats import PipelineStats
    from lensengine.tracker import FaceTracker

    if args.max_faces < 1:
        raise LensEngineError("--max-faces must be at least 1")
    catalogue = lens_catalogue(load_plugins(), backend=args.backend)
    spec, order = resolve_lens(args.lens or _default_lens(catalogue), catalogue, backend=args.backend)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with ExitStack() as stack:
        source = stack.enter_context(open_source(args.input, size=args.size, fps=args.fps, loop=args.loop))
        width, height = source.size
        sink = stack.enter_context(open_sink(args.output, width, height, source.fps))
        if args.preview and sink.name != "window":
            sink = TeeSink([sink, stack.enter_context(open_sink("window", width, height, source.fps))])
        tracker = stack.enter_context(FaceTracker(model_path=args.face_model, max_faces=args.max_faces))
        lenses = LensController(order, spec.name, timeout=args.lens_timeout)
        stack.callback(lenses.close)
        stats = PipelineStats()
        realtime = args.realtime if args.realtime is not None else (source.live or sink.live)
        loop = FrameLoop(
            source, sink, FrameProcessor(tracker, stats), lenses, stats,
            realtime=realtime, max_frames=args.frames, stats_every=1.0 if args.stats else None, stop=stop,
        )
        print(f"lensengine: {source.name} -> {spec.name} -> {sink.name} ({width}x{height} @ {source.fps:g} fps; Ctrl-C stops)")
        loop.run()
    if args.stats:
        print(stats.summary_text())
    else:
        print(f"lensengine: {stats.frames} frames written to {sink.name}")
    return 0
