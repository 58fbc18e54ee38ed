"""LensPack and PackFile: a verified lens pack as the engine and the inference backends see it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lensengine.packs.manifest import FILE_KEYS, LensSpec
from lensengine.packs.pack_error import PackError


@dataclass(frozen=True)
class PackFile:
    """One model file of a pack: its absolute path and the sha256 it was verified against when loaded."""

    path: Path
    sha256: str


class LensPack(LensSpec):
    """A lens pack whose manifest is valid and whose every file matched its sha256 when loaded: the fields of
    its ``LensSpec`` (see ``lensengine.packs.manifest``), ``root`` (the absolute folder) and the verified
    ``files`` by key."""

    root: Path
    files: dict[str, PackFile]

    def file(self, key: str) -> Path:
        """Absolute path of the file stored under ``key`` ("onnx_fp32", "onnx_fp16", "safetensors")."""
        if key not in self.files:
            hint = FILE_KEYS.get(key, f"file keys are {', '.join(FILE_KEYS)}")
            raise PackError(self.name, f"has no {key!r} file; {hint}")
        return self.files[key].path
