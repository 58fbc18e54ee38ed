"""Where TensorRT engines are cached and when a cached engine may be used. Pure logic: no TensorRT import.

A TensorRT engine is valid only for the exact ONNX it was built from, the TensorRT version, the GPU model
(compute capability), the input shape range and the precision. Those facts form the engine's *key fields*;
their hash names the engine file, and a JSON sidecar beside it records them. An engine is reused only when
its sidecar records exactly the wanted fields, so a copied-in, truncated or foreign engine is rebuilt.

Layout (in ``lensengine.util.cache.cache_dir()``: ``$LENSENGINE_CACHE_DIR`` or the platform cache folder)::

    <cache>/engines/<lens>-<precision>-b<max_batch>-<key>.engine
                                          /<lens>-<precision>-b<max_batch>-<key>.json      (sidecar)
                                          /timing-trt<version>-<gpu>-sm<cc>.cache          (timing cache)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from lensengine.util.cache import cache_dir

ENGINE_CACHE_FORMAT = 1  # bump when the build recipe changes, so old engines are rebuilt

Shape = tuple[int, int, int, int]


@dataclass(frozen=True)
class ProfileShapes:
    """The one optimisation profile of an engine: smallest, typical and largest input (N, C, H, W)."""

    min: Shape
    opt: Shape
    max: Shape


@dataclass(frozen=True)
class EnginePaths:
    """Files of one cached engine."""

    engine: Path
    sidecar: Path
    timing_cache: Path


def engine_cache_dir() -> Path:
    """The engine folder: ``engines/`` in lensengine's cache folder."""
    return cache_dir("engines")


def face_profile(crop_size: int, max_batch: int) -> ProfileShapes:
    """Batches of 1..max_batch square crops; tuned for one face, the common case."""
    if crop_size < 1 or max_batch < 1:
        raise ValueError("crop_size and max_batch must be positive")
    return ProfileShapes(
        min=(1, 3, crop_size, crop_size), opt=(1, 3, crop_size, crop_size), max=(max_batch, 3, crop_size, crop_size)
    )


def frame_profile(short_side: int, max_long_side: int, typical_long_side: int) -> ProfileShapes:
    """One frame at a time, either orientation: each side from ``short_side`` to ``max_long_side``, tuned for a
    landscape frame ``short_side`` x ``typical_long_side``."""
    if not 1 <= short_side <= typical_long_side <= max_long_side:
        raise ValueError("need 1 <= short_side <= typical_long_side <= max_long_side")
    return ProfileShapes(
        min=(1, 3, short_side, short_side),
        opt=(1, 3, short_side, typical_long_side),
        max=(1, 3, max_long_side, max_long_side),
    )


def engine_key_fields(
    *,
    onnx_sha256: str,
    tensorrt_version: str,
    gpu_name: str,
    compute_capability: tuple[int, int],
    profile: ProfileShapes,
    precision: str,
) -> dict:
    """Everything an engine depends on, as a JSON-ready dict (what the sidecar records)."""
    return {
        "format": ENGINE_CACHE_FORMAT,
        "onnx_sha256": onnx_sha256,
        "tensorrt": tensorrt_version,
        "gpu": gpu_name,
        "compute_capability": f"{compute_capability[0]}.{compute_capability[1]}",
        "profile": {"min": list(profile.min), "opt": list(profile.opt), "max": list(profile.max)},
        "precision": precision,
    }


def engine_key(fields: dict) -> str:
    """A 16-hex-digit hash of the key fields (order-independent)."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _file_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-").lower() or "x"


def engine_paths(cache_dir: Path, lens_name: str, fields: dict) -> EnginePaths:
    """The engine, sidecar and timing-cache paths for a lens and its key fields."""
    max_batch = fields["profile"]["max"][0]
    stem = f"{_file_safe(lens_name)}-{fields['precision']}-b{max_batch}-{engine_key(fields)}"
    gpu = _file_safe(fields["gpu"])
    sm = fields["compute_capability"].replace(".", "")
    timing = cache_dir / f"timing-trt{_file_safe(fields['tensorrt'])}-{gpu}-sm{sm}.cache"
    return EnginePaths(engine=cache_dir / f"{stem}.engine", sidecar=cache_dir / f"{stem}.json", timing_cache=timing)


def cached_engine_usable(paths: EnginePaths, fields: dict) -> bool:
    """True when the engine file exists and its sidecar records exactly ``fields``; a missing or unreadable
    sidecar counts as a mismatch."""
    if not paths.engine.is_file():
        return False
    try:
        recorded = json.loads(paths.sidecar.read_text())
    except (OSError, ValueError):
        return False
    return recorded == fields


def write_cached_engine(paths: EnginePaths, engine_bytes: bytes, fields: dict) -> None:
    """Store an engine and its sidecar. Each file is written beside its target and renamed into place, and the
    sidecar goes last, so an interrupted write never leaves a usable-looking entry."""
    paths.engine.parent.mkdir(parents=True, exist_ok=True)
    paths.sidecar.unlink(missing_ok=True)
    _write_atomically(paths.engine, engine_bytes)
    _write_atomically(paths.sidecar, json.dumps(fields, indent=2, sort_keys=True).encode())


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
