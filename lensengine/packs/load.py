"""load_pack: open a lens pack folder or zip, check its manifest and every file's sha256, return a LensPack.

Nothing is unpickled: the manifest is TOML and the model files are only hashed here, except the safetensors
weights, whose header is read (without torch) so that a corrupt file is refused now even when its sha256 was
updated to match it. ``model.arch`` must be one of the ``lensengine.nets`` architectures.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lensengine.packs.lens_pack import LensPack, PackFile
from lensengine.packs.manifest import ARCHITECTURE_NAMES, MANIFEST_NAME, FileEntry, read_manifest
from lensengine.packs.pack_error import PackError
from lensengine.packs.safe_paths import path_inside
from lensengine.packs.safetensors_header import safetensors_problem
from lensengine.packs.zip_cache import cached_zip_folder, discard_cached_folder
from lensengine.util.files import file_sha256


def load_pack(path: str | Path) -> LensPack:
    """The verified pack in the folder or .zip at ``path``; PackError (one line) when anything is wrong.

    A zip is extracted once into the cache (see ``lensengine.packs.zip_cache``) and verified on every load; a
    cached copy that no longer verifies is extracted again from the zip.
    """
    source = Path(path)
    if source.is_dir():
        return load_folder(source, str(source))
    if source.is_file() and zipfile.is_zipfile(source):
        return _load_zip(source)
    if not source.exists():
        raise PackError(source, "does not exist; give the path of a pack folder or .zip")
    raise PackError(source, f"is not a lens pack: expected a folder holding {MANIFEST_NAME} or a .zip of one")


def load_folder(folder: Path, source: str) -> LensPack:
    """The verified pack in ``folder``; errors name ``source`` (the folder, or the zip it came from)."""
    root = Path(folder).resolve()
    manifest_path = root / MANIFEST_NAME
    if not manifest_path.is_file():
        raise PackError(source, f"is not a lens pack: no {MANIFEST_NAME} in the folder")
    manifest = read_manifest(manifest_path.read_bytes(), source)
    label = f"{manifest.name!r} at {source}"
    if manifest.arch not in ARCHITECTURE_NAMES:
        raise PackError(
            label,
            f"field 'model.arch' in {MANIFEST_NAME} is {manifest.arch!r}, which lensengine.nets does not know "
            f"(it knows {', '.join(ARCHITECTURE_NAMES)}); export the pack again from one of those networks",
        )
    files = {key: _verified_file(root, key, entry, label) for key, entry in manifest.files.entries().items()}
    if "safetensors" in files:
        problem = safetensors_problem(files["safetensors"].path)
        if problem:
            name = manifest.files.safetensors.path
            raise PackError(
                label,
                f"{name!r} (files.safetensors) is not a valid safetensors file: {problem}; export the pack again",
            )
    return LensPack(root=root, files=files, **manifest.spec_fields())


def _verified_file(root: Path, key: str, entry: FileEntry, label: str) -> PackFile:
    name, expected = entry.path, entry.sha256
    try:
        path = path_inside(root, name)
    except ValueError as reason:
        raise PackError(label, f"path {name!r} of files.{key} {reason}; a pack names files inside it only") from None
    if not path.is_file():
        raise PackError(label, f"file {name!r} (files.{key}) is missing; copy it in or export the pack again")
    actual = file_sha256(path)
    if actual != expected:
        raise PackError(
            label,
            f"tampered or corrupt: {name!r} has sha256 {actual} but {MANIFEST_NAME} says {expected}; "
            "get the pack again from its source",
        )
    return PackFile(path=path, sha256=actual)


def _load_zip(zip_path: Path) -> LensPack:
    source = str(zip_path)
    folder, fresh = cached_zip_folder(zip_path, source)
    if not fresh:
        try:
            return load_folder(folder, source)
        except PackError:  # the cached copy changed after it verified: extract the zip again
            discard_cached_folder(folder)
            folder, _ = cached_zip_folder(zip_path, source)
    try:
        return load_folder(folder, source)
    except PackError:
        discard_cached_folder(folder)  # a pack that does not verify is never kept in the cache
        raise
