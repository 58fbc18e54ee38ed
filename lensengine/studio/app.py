"""The studio's routes (Starlette). Every route sits behind ``security.StudioGuard``.

GET  /                 the page            GET  /api/state     engine state, timings, settings (polled)
GET  /static/...       CSS, JS, icons      GET  /api/lenses    the gallery
GET  /preview.mjpg     live output (MJPEG) GET  /api/doctor    doctor's findings (POST starts a run)
GET  /preview.jpg      the newest frame    GET  /thumbs/{key}  a gallery thumbnail
POST /api/lens {"name"}   POST /api/enabled {"enabled"}   POST /api/settings {"max_faces", "superres", ...}
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from lensengine.studio.security import StudioGuard
from lensengine.studio.settings import SettingError, check_enabled, check_lens_name

STATIC = Path(__file__).with_name("static")
MAX_BODY = 4096
BOUNDARY = "lensengineframe"
NO_STORE = {"Cache-Control": "no-store"}


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json_body(request: Request) -> object:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise SettingError("send JSON (Content-Type: application/json)")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise SettingError("request too large")
    try:
        return json.loads(body)
    except ValueError:
        raise SettingError("the request is not valid JSON") from None


def create_app(engine, gallery, doctor, token: str, port: int):
    """The ASGI application: Starlette routes wrapped in the token/Host/Origin guard."""
    preview = engine.preview

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=NO_STORE)

    async def state(request: Request) -> Response:
        return JSONResponse(engine.state(), headers=NO_STORE)

    async def lenses(request: Request) -> Response:
        return JSONResponse({"lenses": gallery.entries(), "done": gallery.done}, headers=NO_STORE)

    async def thumb(request: Request) -> Response:
        key = request.path_params["key"]
        for name, known in gallery.keys.items():
            if known == key and (path := gallery.thumbnail_path(name)) is not None:
                return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "max-age=86400"})
        return _error("no such thumbnail", 404)

    async def preview_jpg(request: Request) -> Response:
        preview.wanted()
        if preview.jpeg is None:
            await asyncio.get_running_loop().run_in_executor(None, preview.wait_newer, 0, 3.0)
        if preview.jpeg is None:
            return _error("no frame yet", 503)
        return Response(preview.jpeg, media_type="image/jpeg", headers=NO_STORE)

    async def preview_mjpg(request: Request) -> Response:
        async def frames():
            preview.viewers += 1
            try:
                seen = 0
                while not preview.stopped:
                    if preview.sequence <= seen:
                        await asyncio.sleep(0.02)
                        continue
                    seen, data = preview.sequence, preview.jpeg
                    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n"
                    yield head.encode() + data + b"\r\n"
            finally:
                preview.viewers -= 1

        return StreamingResponse(
            frames(), media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}", headers=NO_STORE
        )

    async def lens(request: Request) -> Response:
        try:
            body = await _json_body(request)
            name = check_lens_name(body.get("name") if isinstance(body, dict) else None, engine.lens_names)
        except SettingError as exc:
            return _error(str(exc))
        engine.switch_lens(name)
        return JSONResponse({"pending": name})

    async def enabled(request: Request) -> Response:
        try:
            body = await _json_body(request)
            value = check_enabled(body.get("enabled") if isinstance(body, dict) else None)
        except SettingError as exc:
            return _error(str(exc))
        engine.set_enabled(value)
        return JSONResponse({"enabled": value})

    async def settings(request: Request) -> Response:
        try:
            body = await _json_body(request)
            applied = await asyncio.get_running_loop().run_in_executor(None, engine.apply_settings, body)
        except SettingError as exc:
            return _error(str(exc))
        except Exception as exc:  # anything else that a change raised: one line, the engine goes on
            return _error(f"{type(exc).__name__}: {exc}".splitlines()[0])
        return JSONResponse({"settings": applied})

    async def doctor_get(request: Request) -> Response:
        if doctor.result is None:
            doctor.start()
        return JSONResponse(doctor.state(), headers=NO_STORE)

    async def doctor_post(request: Request) -> Response:
        doctor.start()
        return JSONResponse(doctor.state())

    routes = [
        Route("/", index),
        Route("/api/state", state),
        Route("/api/lenses", lenses),
        Route("/api/lens", lens, methods=["POST"]),
        Route("/api/enabled", enabled, methods=["POST"]),
        Route("/api/settings", settings, methods=["POST"]),
        Route("/api/doctor", doctor_get, methods=["GET"]),
        Route("/api/doctor", doctor_post, methods=["POST"]),
        Route("/preview.jpg", preview_jpg),
        Route("/preview.mjpg", preview_mjpg),
        Route("/thumbs/{key:str}", thumb),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return StudioGuard(Starlette(routes=routes), token, port)
