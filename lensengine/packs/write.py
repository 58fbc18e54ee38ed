"""write_pack and zip_pack: make a lens pack folder from model files, and zip a verified pack folder."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from lensengine.packs.load import load_folder
from lensengine.packs.manifest import FILE_KEYS, MANIFEST_NAME, FileEntry, LensSpec, Manifest, PackFiles, read_manifest
from lensengine.packs.pack_error import PackError
from lensengine.util.files import file_sha256

# The name each file gets inside a pack folder.
PACK_FILE_NAMES = {
    "onnx_fp32": "model.onnx",
    "onnx_fp16": "model_fp16.onnx",
    "safetensors": "model.safetensors",
}
# Zip entries get a fixed time stamp, so zipping the same pack twice gives the same bytes (and cache folder).
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def portable_paths(value):
    """``value`` with absolute paths made shareable: relative to the working folder when inside it (the
    repository, where the training recipes run), else only their last two parts after ``.../``. A pack's
    provenance must not name folders that exist only on the machine that trained it."""
    if isinstance(value, dict):
        return {key: portable_paths(item) for key, item in value.items()}
    if isinstance(value, list):
        return [portable_paths(item) for item in value]
    if isinstance(value, str) and os.path.isabs(value) and "\n" not in value:
        path = Path(value)
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return ".../" + "/".join(path.parts[-2:])
    return value


def write_pack(out_dir: str | Path, spec: LensSpec, files: dict[str, Path]) -> Path:
    """Copy ``files`` (key -> model file) into ``out_dir``, hash them and write lens.toml; return the folder.

    ``spec`` is everything lens.toml says but the files; paths in its provenance are made portable. The files
    get the names of ``PACK_FILE_NAMES``. The manifest is checked as ``load_pack`` would check it before
    anything is written, so a bad field raises PackError and leaves ``out_dir`` as it was.
    """
    out = Path(out_dir)
    unknown = [key for key in files if key not in FILE_KEYS]
    if unknown:
        raise PackError(spec.name, f"unknown file key {unknown[0]!r}; use {', '.join(FILE_KEYS)}")
    if "onnx_fp32" not in files:
        raise PackError(spec.name, "lens.toml is missing field 'files.onnx_fp32' (the FP32 ONNX model)")
    sources = {key: Path(files[key]) for key in FILE_KEYS if key in files}
    for key, path in sources.items():
        if not path.is_file():
            raise PackError(spec.name, f"file for {key!r} not found at {path}")
    entries = {key: FileEntry(path=PACK_FILE_NAMES[key], sha256=file_sha256(src)) for key, src in sources.items()}
    fields = {**spec.spec_fields(), "provenance": portable_paths(spec.provenance)}
    text = _manifest_text(Manifest(**fields, files=PackFiles(**entries)), str(out))
    out.mkdir(parents=True, exist_ok=True)
    for key, src in sources.items():
        target = out / PACK_FILE_NAMES[key]
        if not (target.exists() and target.samefile(src)):
            shutil.copyfile(src, target)
    _write_atomically(out / MANIFEST_NAME, text.encode("utf-8"))
    return out


def zip_pack(folder: str | Path, zip_path: str | Path) -> Path:
    """Zip the verified pack in ``folder`` to ``zip_path``: lens.toml and the files it names, at the top."""
    source = Path(folder)
    if not source.is_dir():
        raise PackError(source, "is not a folder; zip_pack zips a pack folder")
    pack = load_folder(source, str(source))
    names = [MANIFEST_NAME] + [entry.path.relative_to(pack.root).as_posix() for entry in pack.files.values()]
    target = Path(zip_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    os.close(handle)
    os.chmod(temporary, 0o644)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                with open(pack.root / name, "rb") as src, archive.open(info, "w") as entry:
                    shutil.copyfileobj(src, entry, 1 << 20)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target


def _manifest_text(manifest: Manifest, source: str) -> str:
    """The lens.toml text, checked by reading it back exactly as load_pack will."""
    text = manifest.to_toml()
    read_manifest(text.encode("utf-8"), source)
    return text


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file renamed over it, so a reader sees the old or the new bytes."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
