"""``lensengine studio``: the engine as ``lensengine run`` runs it, plus a local control page.

The page (live preview, lens gallery, timings, settings, doctor's findings) is served on 127.0.0.1 behind a random
token: the address with the token is printed (as Jupyter does) and opened in the browser unless --no-browser.
With no --output, the output is the virtual camera when one exists, else ``null`` (the page says why).
"""

from __future__ import annotations

import signal
import sys
import threading

from lensengine.pipeline.assemble import DEFAULT_LENS, FALLBACK_LENS, EngineSettings
from lensengine.studio.server import DEFAULT_PORT


def add_parser(sub) -> None:
    from lensengine.cli.run import parse_size

    p = sub.add_parser("studio", help="run the engine with a local control page (preview, lens gallery, settings)")
    p.add_argument(
        "--lens", default=None, help=f"lens name or pack path (default {DEFAULT_LENS}, else {FALLBACK_LENS})"
    )
    p.add_argument("--input", default="0", help="camera index or device, video file, image, `sample` or `sample:N`")
    p.add_argument(
        "--output",
        default=None,
        help="virtualcam[:backend[:device]], window, null or a video file (default: the virtual camera when one "
        "exists, else null)",
    )
    p.add_argument("--size", type=parse_size, default=None, help="frame size WxH (camera request, sample size)")
    p.add_argument("--fps", type=float, default=None, help="frame rate (camera request, sample; default 30)")
    p.add_argument("--max-faces", type=int, default=4, help="most faces tracked at once (default 4)")
    p.add_argument("--face-model", default=None, help="path to face_landmarker.task (else env, cache, offline copy)")
    p.add_argument("--backend", default="auto", help="neural backend: auto, tensorrt, torch, onnxruntime")
    p.add_argument("--superres", default="auto", help="super-resolution: an SR pack name, none, or auto")
    p.add_argument("--lens-timeout", type=float, default=1.0, help="seconds a lens may take per frame")
    p.add_argument("--frames", type=int, default=None, help="stop after N output frames")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any)")
    p.add_argument("--no-browser", action="store_true", help="print the address only; do not open a browser")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from lensengine.studio.server import output_for_studio

    output, note = output_for_studio(args.output)
    settings = EngineSettings(
        lens=args.lens,
        input=args.input,
        output=output,
        size=args.size,
        fps=args.fps,
        max_faces=args.max_faces,
        loop=True,  # a file or the sample clip plays on while the page is open
        face_model=args.face_model,
        backend=args.backend,
        superres=args.superres,
        lens_timeout=args.lens_timeout,
        realtime=True,
        frames=args.frames,
    )
    return run_with_studio(settings, port=args.port, browser=not args.no_browser, note=note)


def run_with_studio(settings: EngineSettings, port: int = DEFAULT_PORT, browser: bool = False, note=None) -> int:
    """Run the engine with the studio page until the input ends, --frames are done, Ctrl-C or SIGTERM.
    Exit status as ``lensengine run``: 0, or 130 / 143 after SIGINT / SIGTERM."""
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum, _frame) -> None:
        received.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        stats, sink_name = _serve(settings, stop, port, browser, note)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"lensengine: {stats.frames} frames written to {sink_name}")
    return 128 + received[0] if received else 0


def _serve(settings: EngineSettings, stop: threading.Event, port: int, browser: bool, note):
    from lensengine.studio.server import open_studio

    with open_studio(settings, stop, port=port, note=note) as studio:
        loop = studio.loop
        width, height = loop.source.size
        print(
            f"lensengine: {loop.source.name} -> {loop.lenses.name} -> {loop.sink.name} "
            f"({width}x{height} @ {loop.source.fps:g} fps; Ctrl-C stops)"
        )
        if note:
            print(f"lensengine: {note}")
        print(f"lensengine studio: open {studio.url}", flush=True)
        if browser:
            _open_browser(studio.url)
        stats = loop.run()
    return stats, loop.sink.name


def _open_browser(url: str) -> None:
    import webbrowser

    try:
        webbrowser.open(url, new=2)
    except Exception as exc:  # no browser here: the printed address is enough
        print(f"lensengine studio: could not open a browser ({exc})", file=sys.stderr)
