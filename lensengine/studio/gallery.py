"""The lens gallery: every installed lens with a thumbnail it rendered itself on a built-in face photo.

Each thumbnail is the lens run the way the engine runs it (the engine's tracker finds the face on the offline
photo, the engine's aligner cuts the crop, the result is pasted back), cropped around the face. Thumbnails and the
lens's measured time per call are cached in the user cache (``lensengine.util.cache``) under a key made of
everything that changes the picture (lens, plugin version, pack hashes, lensengine version), so they are rendered
once. Rendering runs in one background thread at a lower OS priority, so the engine keeps its pace meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from lensengine import __version__
from lensengine.lens import LensSpec
from lensengine.studio.preview import lower_thread_priority
from lensengine.util.cache import cache_dir

log = logging.getLogger("lensengine.studio")

THUMB_SIZE = 224
PHOTO = "astronaut"
TIMED_CALLS = 3  # calls timed per lens (the median is shown) ...
SLOW_MS = 150.0  # ... unless they already took this long: a slow lens is timed once


def thumbnail_key(spec: LensSpec, version: str = "") -> str:
    """A file name stem that changes whenever the lens's thumbnail could change."""
    pack = getattr(spec, "pack", None)
    files = {k: getattr(f, "sha256", "") for k, f in sorted(getattr(pack, "files", {}).items())} if pack else {}
    parts = [__version__, THUMB_SIZE, PHOTO, spec.name, spec.plugin, version, spec.kind, spec.crop_size]
    parts += [spec.margin, spec.color_order, files]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in spec.name)[:60]
    return f"{safe}-{digest}"


def render_with(lens, spec: LensSpec, photo: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, float]:
    """(the photo as the lens draws it, BGR; median ms of one lens call on it). A face lens may return colour
    plus alpha (``lensengine.lens.FaceLens``); ``paste_back`` composites either kind as the engine does."""
    from lensengine.compose.paste import paste_back
    from lensengine.face.align import align_matrix, crop_face, transform_points
    from lensengine.inference.preprocess import swap_rb as _swap_rb

    rgb = spec.color_order == "RGB"
    times = []
    if spec.kind == "face":
        matrix = align_matrix(landmarks, spec.crop_size, spec.margin)
        crops = crop_face(photo, matrix, spec.crop_size)[None]
        points = transform_points(landmarks, matrix)[None].astype(np.float32)
        while len(times) < TIMED_CALLS and sum(times) < SLOW_MS:
            t0 = time.perf_counter()
            out = lens.apply(_swap_rb(crops) if rgb else crops.copy(), points)
            times.append((time.perf_counter() - t0) * 1000.0)
        out = np.asarray(out)
        if out.shape[:-1] != crops.shape[:-1] or out.shape[-1] not in (3, 4) or out.dtype != np.uint8:
            raise ValueError(f"returned {out.shape} {out.dtype}, not {crops.shape} uint8 (or colour + alpha)")
        picture = photo.copy()
        paste_back(picture, crops[0], _swap_rb(out)[0] if rgb else out[0], matrix)
    else:
        while len(times) < TIMED_CALLS and sum(times) < SLOW_MS:
            t0 = time.perf_counter()
            out = lens.apply(_swap_rb(photo) if rgb else photo.copy())
            times.append((time.perf_counter() - t0) * 1000.0)
        picture = np.asarray(out)
        if picture.shape != photo.shape or picture.dtype != np.uint8:
            raise ValueError(f"returned {picture.shape} {picture.dtype}, not {photo.shape} uint8")
        picture = _swap_rb(picture) if rgb else picture
    return picture, float(np.median(times))


def face_square(picture: np.ndarray, landmarks: np.ndarray, size: int = THUMB_SIZE, scale: float = 1.9) -> np.ndarray:
    """A ``size`` x ``size`` thumbnail: the square around the face, ``scale`` times the landmarks' extent."""
    height, width = picture.shape[:2]
    (x0, y0), (x1, y1) = landmarks.min(axis=0), landmarks.max(axis=0)
    side = min(max(x1 - x0, y1 - y0) * scale, width, height)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 - 0.05 * side
    left = int(np.clip(cx - side / 2, 0, width - side))
    top = int(np.clip(cy - side / 2, 0, height - side))
    square = picture[top : top + int(side), left : left + int(side)]
    return cv2.resize(square, (size, size), interpolation=cv2.INTER_AREA)


class Gallery:
    """Gallery entries for the page, and a background thread that renders the missing thumbnails.

    ``specs``: the lenses (LensSpec) in the order the page shows them; ``backend``: the backend neural lenses use
    (for the page); ``versions``: plugin -> version (part of the cache key); ``folder``: the cache folder.
    """

    def __init__(
        self,
        specs: list[LensSpec],
        backend: str = "-",
        versions: dict[str, str] | None = None,
        folder: Path | None = None,
        qualified: dict[str, str] | None = None,
    ) -> None:
        self.specs = list(specs)
        self.backend = backend
        self.folder = Path(folder) if folder is not None else cache_dir("studio", "thumbnails")
        self.keys = {s.name: thumbnail_key(s, (versions or {}).get(s.plugin, "")) for s in self.specs}
        self.qualified = qualified or {}
        self.info: dict[str, dict] = {}
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        for spec in self.specs:
            self._read_cached(spec)

    def _paths(self, name: str) -> tuple[Path, Path]:
        key = self.keys[name]
        return self.folder / f"{key}.jpg", self.folder / f"{key}.json"

    def _read_cached(self, spec: LensSpec) -> None:
        image, meta = self._paths(spec.name)
        try:
            if image.is_file() and meta.is_file():
                self.info[spec.name] = {**json.loads(meta.read_text()), "state": "ready"}
        except (OSError, ValueError):
            pass

    def thumbnail_path(self, name: str) -> Path | None:
        if name not in self.keys or self.info.get(name, {}).get("state") != "ready":
            return None
        return self._paths(name)[0]

    def entries(self) -> list[dict]:
        rows = []
        for spec in self.specs:
            info = self.info.get(spec.name, {"state": "pending"})
            rows.append(
                {
                    "name": spec.name,
                    "qualified": self.qualified.get(spec.name, spec.name),
                    "kind": spec.kind,
                    "neural": spec.pack is not None,
                    "backend": self.backend if spec.pack is not None else "algorithmic · CPU",
                    "plugin": spec.plugin,
                    "description": spec.description,
                    "ms": info.get("ms"),
                    "state": info.get("state", "pending"),
                    "error": info.get("error"),
                    "thumb": self.keys[spec.name] if info.get("state") == "ready" else None,
                }
            )
        return rows

    @property
    def done(self) -> bool:
        return all(self.info.get(s.name, {}).get("state") in ("ready", "failed") for s in self.specs)

    def start(self) -> None:
        if self.done or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._render_missing, name="studio-thumbnails", daemon=True)
        self._thread.start()

    def stop(self, wait_s: float = 10.0) -> None:
        """Render nothing more; wait up to ``wait_s`` for the lens being rendered (so its models and MediaPipe's
        graph are closed before the interpreter exits)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait_s)

    def wait(self, timeout: float) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.done

    def _render_missing(self) -> None:
        lower_thread_priority()
        try:
            from lensengine.testing.faces import photo_faces

            photo, landmarks = photo_faces()[PHOTO]
        except Exception as exc:
            for spec in self.specs:
                self.info.setdefault(spec.name, {"state": "failed", "error": f"no face photo: {exc}"})
            return
        for spec in self.specs:
            if self._stop.is_set():
                return
            if self.info.get(spec.name, {}).get("state") == "ready":
                continue
            self.info[spec.name] = {"state": "rendering"}
            self.info[spec.name] = self._render_one(spec, photo, landmarks)

    def _render_one(self, spec: LensSpec, photo: np.ndarray, landmarks: np.ndarray) -> dict:
        lens = None
        try:
            lens = spec.create()
            warmup = getattr(lens, "warmup", None)
            if callable(warmup):
                warmup()
            picture, ms = render_with(lens, spec, photo, np.asarray(landmarks, np.float32))
            ok, data = cv2.imencode(".jpg", face_square(picture, landmarks), [cv2.IMWRITE_JPEG_QUALITY, 88])
            if not ok:
                raise ValueError("JPEG encoding failed")
            image, meta = self._paths(spec.name)
            self.folder.mkdir(parents=True, exist_ok=True)
            info = {"ms": round(ms, 2), "lens": spec.name}
            tmp = image.with_suffix(".tmp")
            tmp.write_bytes(data.tobytes())
            tmp.replace(image)
            meta.write_text(json.dumps(info))
            return {**info, "state": "ready"}
        except Exception as exc:  # a lens that fails here still shows in the gallery, with its error
            log.debug("thumbnail of %s failed: %s", spec.name, exc)
            return {"state": "failed", "error": f"{type(exc).__name__}: {exc}"[:200]}
        finally:
            close = getattr(lens, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:
                    pass
