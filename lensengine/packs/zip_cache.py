"""Zip packs: checked entry by entry, extracted atomically into the cache once, re-used while they verify.

The cache folder of a zip is ``cache_dir("packs", <sha256 of the zip>)`` (``lensengine.util.cache``: under
``$LENSENGINE_CACHE_DIR`` when that is set, else the platform's user cache folder). Extraction
goes to a temporary folder beside it, renamed into place when complete, so no half-written pack is seen.
A zip may hold the pack at its top level or inside one top folder (as zipping a folder by hand gives).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from lensengine.packs.manifest import MANIFEST_NAME
from lensengine.packs.pack_error import PackError
from lensengine.packs.safe_paths import unsafe_reason
from lensengine.util.cache import cache_dir
from lensengine.util.files import file_sha256

# A lens pack is a few model files: anything far larger unpacked is a zip bomb or not a pack.
MAX_UNPACKED_BYTES = 4 * 1024**3
MAX_ENTRIES = 1000
_FILE_TYPE_MASK = 0o170000
_SYMLINK_TYPE = 0o120000


def cached_zip_folder(zip_path: Path, source: str) -> tuple[Path, bool]:
    """The cache folder holding the extracted pack of ``zip_path``, and whether it was extracted just now."""
    folder = cache_dir("packs", file_sha256(zip_path))
    if (folder / MANIFEST_NAME).is_file():
        return folder, False
    discard_cached_folder(folder)
    _extract(zip_path, folder, source)
    return folder, True


def discard_cached_folder(folder: Path) -> None:
    """Remove an extracted pack from the cache (the zip it came from is left alone)."""
    shutil.rmtree(folder, ignore_errors=True)


def _extract(zip_path: Path, folder: Path, source: str) -> None:
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as error:
        raise PackError(source, f"cannot be opened as a zip ({error}); get the pack again") from None
    with archive:
        members = _pack_members(archive, source)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name[:12]}-", dir=folder.parent))
        try:
            for info, name in members:
                _extract_member(archive, info, staging.joinpath(*name.parts), source)
            try:
                staging.rename(folder)
            except OSError:
                if not (folder / MANIFEST_NAME).is_file():  # else another process extracted it first
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, source: str) -> None:
    try:
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as entry, open(target, "xb") as out:
            shutil.copyfileobj(entry, out, 1 << 20)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise PackError(source, f"zip entry {info.filename!r} is corrupt ({error}); get the pack again") from None
    except OSError as error:
        raise PackError(source, f"cannot extract zip entry {info.filename!r} into the cache ({error})") from None


def _pack_members(archive: zipfile.ZipFile, source: str) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Every entry with its path inside the pack; PackError for an unsafe, linked or repeated entry."""
    entries: dict[PurePosixPath, zipfile.ZipInfo] = {}
    infos = archive.infolist()
    unpacked = sum(info.file_size for info in infos)
    if len(infos) > MAX_ENTRIES or unpacked > MAX_UNPACKED_BYTES:
        raise PackError(
            source,
            f"zip holds {len(infos)} entries, {unpacked / 1024**3:.1f} GiB unpacked: over the limits for a lens pack "
            f"({MAX_ENTRIES} entries, {MAX_UNPACKED_BYTES // 1024**3} GiB); refusing to extract",
        )
    for info in infos:
        reason = unsafe_reason(info.filename)
        if reason:
            raise PackError(
                source,
                f"zip entry {info.filename!r} {reason}, so it would land outside the pack (zip-slip); "
                "refusing to extract",
            )
        if (info.external_attr >> 16) & _FILE_TYPE_MASK == _SYMLINK_TYPE:
            raise PackError(source, f"zip entry {info.filename!r} is a symbolic link; packs hold plain files")
        name = PurePosixPath(info.filename)
        if name in entries:
            raise PackError(source, f"zip holds two entries named {str(name)!r}; refusing to guess which")
        entries[name] = info
    prefix = _pack_prefix(entries)
    if prefix is None:
        raise PackError(source, f"zip holds no {MANIFEST_NAME} at its top or in its one top folder: not a lens pack")
    inside = [(name.parts[prefix:], info) for name, info in entries.items()]
    return [(info, PurePosixPath(*parts)) for parts, info in inside if parts]


def _pack_prefix(entries: dict[PurePosixPath, zipfile.ZipInfo]) -> int | None:
    """Leading folders to strip: 0 with lens.toml at the top, 1 with it in the one top folder, else None."""
    manifest = PurePosixPath(MANIFEST_NAME)
    if manifest in entries:
        return 0
    tops = {name.parts[0] for name in entries}
    if len(tops) == 1 and PurePosixPath(tops.pop(), MANIFEST_NAME) in entries:
        return 1
    return None
