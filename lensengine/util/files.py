"""File hashes, atomic installs and verified downloads: a file appears at its place only once its hash is right."""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lensengine.errors import LensEngineError

_CHUNK = 1 << 20
DOWNLOAD_TIMEOUT_S = 30.0


def file_sha256(path: str | os.PathLike) -> str:
    """Lower-case hex sha256 of a file, read in chunks so large model files never sit in memory whole."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def has_hash(path: Path, expected_sha256: str) -> bool:
    """True when ``path`` is a readable file whose sha256 starts with ``expected_sha256`` (a full hash or a prefix)."""
    try:
        return bool(expected_sha256) and path.is_file() and file_sha256(path).startswith(expected_sha256.lower())
    except OSError:
        return False


@contextmanager
def temp_file_beside(destination: Path) -> Iterator[Path]:
    """A temp file in ``destination``'s folder (so a rename into place is atomic), removed unless renamed."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
    os.close(handle)
    try:
        yield Path(temp_name)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)


def install_atomically(source: Path, destination: Path) -> None:
    """Copy ``source`` to ``destination`` through a temp file, then rename."""
    with temp_file_beside(destination) as temp:
        shutil.copyfile(source, temp)
        os.replace(temp, destination)


def download_verified(
    url: str, destination: Path, expected_sha256: str, *, what: str, fix: str, timeout_s: float = DOWNLOAD_TIMEOUT_S
) -> Path:
    """Download ``url`` to ``destination``; the file appears only when its sha256 starts with ``expected_sha256``.

    ``what`` names the file in errors ("face model"), ``fix`` says what to do instead; every failure is one
    LensEngineError line.
    """
    try:
        with temp_file_beside(destination) as temp:
            with open(temp, "wb") as out, urllib.request.urlopen(url, timeout=timeout_s) as response:
                shutil.copyfileobj(response, out, _CHUNK)
            if not has_hash(temp, expected_sha256):
                raise LensEngineError(
                    f"{what} downloaded from {url} has the wrong sha256 (incomplete download?): try again, or {fix}"
                )
            os.replace(temp, destination)
    except (OSError, http.client.HTTPException) as error:
        raise LensEngineError(f"could not download the {what} from {url} ({error}): {fix}") from error
    return destination
