"""LensPack and PackFile: a verified lens pack as the engine and the inference backends see it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lensengine.packs.pack_error import PackError

# The file keys a pack may hold, and what to do when an optional one is missing.
FILE_KEYS = {
    "onnx_fp32": "the FP32 ONNX model is required in every pack",
    "onnx_fp16": "the FP16 ONNX model is made by export_pack(..., fp16=True) or convert_onnx_to_fp16",
    "safetensors": "the torch weights are made by export_pack from the torch network",
}


@dataclass(frozen=True)
class PackFile:
    """One model file of a pack: its absolute path and the sha256 it was verified against when loaded."""

    path: Path
    sha256: str


@dataclass(frozen=True)
class LensPack:
    """A lens pack whose manifest is valid and whose every file matched its sha256 when loaded.

    Pixels: the net eats ``crop_size`` squares in ``color_order`` and gives ``crop_size * scale`` squares.
    ``normalisation`` "tanh" means x/127.5-1 in and (y+1)*127.5 out; "unit" means x/255 in and y*255 out.
    """

    root: Path
    name: str
    family: str
    kind: str
    description: str
    crop_size: int
    scale: int
    color_order: str
    normalisation: str
    template: str
    margin: float
    arch: str
    config: dict
    files: dict[str, PackFile]
    provenance: dict

    def file(self, key: str) -> Path:
        """Absolute path of the file stored under ``key`` ("onnx_fp32", "onnx_fp16", "safetensors")."""
        if key not in self.files:
            hint = FILE_KEYS.get(key, f"file keys are {', '.join(FILE_KEYS)}")
            raise PackError(self.name, f"has no {key!r} file; {hint}")
        return self.files[key].path
