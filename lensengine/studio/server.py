"""The studio beside a running engine: uvicorn serves the page in a thread while the frame loop runs.

``open_studio`` opens the engine (``lensengine.pipeline.assemble.open_engine``), wraps it (``StudioEngine``),
binds 127.0.0.1, starts uvicorn, the gallery and the preview, and yields a ``Studio`` whose ``loop.run()`` the
caller runs (on the main thread, so Ctrl-C and SIGTERM work as in ``lensengine run``). Everything stops on exit.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from lensengine.errors import LensEngineError

log = logging.getLogger("lensengine.studio")

DEFAULT_PORT = 8765


def bind_local(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:``port`` (0: any free port). The default port, when taken, gives way to
    any free port (as Jupyter moves on); another port that is taken is a one-line error."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        if port == DEFAULT_PORT:
            return bind_local(0)
        raise LensEngineError(
            f"the studio cannot listen on 127.0.0.1:{port} ({exc.strerror}): pass --port 0 for any free port"
        ) from None
    sock.listen(64)
    return sock


def output_for_studio(output: str | None) -> tuple[str, str | None]:
    """The output to open and a note for the page: with no ``--output``, the virtual camera when one exists,
    else ``null`` (the preview still shows every frame) with the reason and the fix."""
    if output is not None:
        return output, None
    from lensengine.sinks.virtual_camera import virtual_camera_status

    ok, message = virtual_camera_status()
    if ok:
        return "virtualcam", None
    fix = message.split("; ", 1)[1] if "; " in message else message
    return "null", f"No virtual camera here, so the output goes to this page only. Fix: {fix}"


@dataclass
class Studio:
    loop: object  # the FrameLoop
    engine: object  # StudioEngine
    gallery: object
    doctor: object
    url: str
    token: str
    port: int
    guard: object  # the StudioGuard (its ``refused`` lists recent refusals)


def _run_server(server, sock: socket.socket) -> None:
    try:
        server.run(sockets=[sock])
    except Exception as exc:  # the engine goes on without its page
        log.error("studio: the web server stopped: %s", exc)


@contextmanager
def open_studio(
    settings,
    stop: threading.Event | None = None,
    port: int = DEFAULT_PORT,
    note: str | None = None,
    thumbnail_folder: Path | None = None,
    render_thumbnails: bool = True,
) -> Iterator[Studio]:
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError as exc:
        raise LensEngineError(
            f"the studio needs Starlette and uvicorn ({exc}): pip install 'lensengine[studio]' "
            "(in a checkout: pip install -e '.[studio]')"
        ) from None

    from lensengine.lenses.plugins import load_plugins
    from lensengine.pipeline.assemble import open_engine
    from lensengine.studio.app import create_app
    from lensengine.studio.doctor_report import DoctorReport
    from lensengine.studio.engine import StudioEngine
    from lensengine.studio.gallery import Gallery
    from lensengine.studio.security import new_token

    stop = stop or threading.Event()
    if settings.realtime is None:
        settings.realtime = True  # a page watches: frames at their own pace, never faster
    sock = bind_local(port)
    port = sock.getsockname()[1]
    with ExitStack() as stack:
        stack.callback(sock.close)
        loop = stack.enter_context(open_engine(settings, stop))
        registry = load_plugins()
        engine = StudioEngine(loop, settings, registry=registry, note=note)
        stack.callback(engine.close)
        gallery = Gallery(
            list(loop.lenses.order),
            backend=_neural_backend(settings.backend, loop.lenses.order),
            versions={plugin: version for plugin, (_, version) in registry.distributions.items()},
            folder=thumbnail_folder,
            qualified=_qualified(loop.lenses.order),
        )
        stack.callback(gallery.stop)
        doctor = DoctorReport()
        token = new_token()
        guard = create_app(engine, gallery, doctor, token, port)
        config = uvicorn.Config(
            guard,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            lifespan="off",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=_run_server, args=(server, sock), name="studio-server", daemon=True)
        thread.start()

        def stop_server() -> None:
            engine.preview.stop()  # ends the MJPEG streams
            server.should_exit = True
            thread.join(timeout=5.0)

        stack.callback(stop_server)
        engine.start()
        if render_thumbnails:
            gallery.start()
        yield Studio(loop, engine, gallery, doctor, f"http://127.0.0.1:{port}/?token={token}", token, port, guard)


def _neural_backend(backend: str, specs) -> str:
    if backend != "auto" or not any(s.pack is not None for s in specs):
        return backend
    try:
        from lensengine.inference import auto_choice

        return auto_choice()
    except Exception:
        return backend


def _qualified(specs) -> dict[str, str]:
    qualified = getattr(specs, "qualified", None)
    return {s.name: qualified(s) for s in specs} if callable(qualified) else {}
