"""TensorRT engine cache logic (keys, paths, sidecar check, profiles) and the backend's probe, without TensorRT."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import platformdirs
import pytest

from lensengine.inference.tensorrt_backend import TensorRTBackend, pack_profile
from lensengine.inference.tensorrt_cache import (
    ENGINE_CACHE_FORMAT,
    ProfileShapes,
    cached_engine_usable,
    engine_cache_dir,
    engine_key,
    engine_key_fields,
    engine_paths,
    face_profile,
    frame_profile,
    write_cached_engine,
)


def _fields(**changes: object) -> dict:
    base = dict(
        onnx_sha256="ab" * 32,
        tensorrt_version="10.13.0",
        gpu_name="NVIDIA GeForce RTX 4090",
        compute_capability=(8, 9),
        profile=face_profile(256, 4),
        precision="fp16",
    )
    base.update(changes)
    return engine_key_fields(**base)


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LENSENGINE_CACHE_DIR", str(tmp_path))
    assert engine_cache_dir() == tmp_path / "engines"
    monkeypatch.delenv("LENSENGINE_CACHE_DIR")
    assert engine_cache_dir() == Path(platformdirs.user_cache_dir("lensengine")) / "engines"


def test_key_fields_are_json_and_complete() -> None:
    fields = _fields()
    assert json.loads(json.dumps(fields)) == fields
    assert fields["compute_capability"] == "8.9"
    assert fields["profile"] == {"min": [1, 3, 256, 256], "opt": [1, 3, 256, 256], "max": [4, 3, 256, 256]}
    assert fields["format"] == ENGINE_CACHE_FORMAT


@pytest.mark.parametrize(
    "change",
    [
        {"onnx_sha256": "cd" * 32},
        {"tensorrt_version": "11.0.0"},
        {"gpu_name": "NVIDIA H100 80GB HBM3"},
        {"compute_capability": (9, 0)},
        {"profile": face_profile(256, 8)},
        {"profile": face_profile(128, 4)},
        {"precision": "fp32"},
    ],
)
def test_every_field_changes_the_key(change: dict) -> None:
    assert engine_key(_fields(**change)) != engine_key(_fields())


def test_key_is_stable_and_short() -> None:
    key = engine_key(_fields())
    assert key == engine_key(dict(reversed(list(_fields().items()))))
    assert len(key) == 16 and int(key, 16) >= 0


def test_engine_paths_name_the_lens_precision_batch_and_gpu(tmp_path: Path) -> None:
    fields = _fields()
    paths = engine_paths(tmp_path, "Toon Face/v2", fields)
    assert paths.engine == tmp_path / f"toon-face-v2-fp16-b4-{engine_key(fields)}.engine"
    assert paths.sidecar == paths.engine.with_suffix(".json")
    assert paths.timing_cache == tmp_path / "timing-trt10.13.0-nvidia-geforce-rtx-4090-sm89.cache"


def test_written_engine_is_usable_only_with_the_same_fields(tmp_path: Path) -> None:
    fields = _fields()
    paths = engine_paths(tmp_path / "engines", "lens", fields)
    assert not cached_engine_usable(paths, fields)
    write_cached_engine(paths, b"engine bytes", fields)
    assert paths.engine.read_bytes() == b"engine bytes"
    assert cached_engine_usable(paths, fields)
    assert not cached_engine_usable(paths, _fields(tensorrt_version="10.14.0"))
    assert not list(paths.engine.parent.glob("*.partial"))


def test_foreign_or_damaged_sidecar_means_rebuild(tmp_path: Path) -> None:
    fields = _fields()
    paths = engine_paths(tmp_path, "lens", fields)
    write_cached_engine(paths, b"engine bytes", fields)
    paths.sidecar.write_text(json.dumps(_fields(gpu_name="Tesla T4", compute_capability=(7, 5))))
    assert not cached_engine_usable(paths, fields)
    paths.sidecar.write_text("{not json")
    assert not cached_engine_usable(paths, fields)
    paths.sidecar.unlink()
    assert not cached_engine_usable(paths, fields)


def test_engine_without_file_is_not_usable(tmp_path: Path) -> None:
    fields = _fields()
    paths = engine_paths(tmp_path, "lens", fields)
    write_cached_engine(paths, b"engine bytes", fields)
    paths.engine.unlink()
    assert not cached_engine_usable(paths, fields)


def test_face_profile_spans_one_to_max_batch() -> None:
    assert face_profile(128, 6) == ProfileShapes(min=(1, 3, 128, 128), opt=(1, 3, 128, 128), max=(6, 3, 128, 128))
    with pytest.raises(ValueError):
        face_profile(128, 0)


def test_frame_profile_covers_both_orientations() -> None:
    profile = frame_profile(256, 512, 448)
    assert profile == ProfileShapes(min=(1, 3, 256, 256), opt=(1, 3, 256, 448), max=(1, 3, 512, 512))
    with pytest.raises(ValueError):
        frame_profile(256, 200, 448)


def test_pack_profile_for_face_and_frame_packs(packs) -> None:
    assert pack_profile(packs["tiny-unet"], 4) == face_profile(64, 4)
    # johnson: stride 4; short side 64, long side 64 * 16/9 = 113.8 -> 112, at most 128.
    assert pack_profile(packs["tiny-johnson"], 4) == frame_profile(64 + 16, 128 + 16, 112 + 16)  # 8 px margins


def test_probe_names_the_install_command_when_tensorrt_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tensorrt", None)  # makes `import tensorrt` raise ImportError
    assert TensorRTBackend.probe() == (False, "tensorrt not installed: pip install tensorrt (NVIDIA GPU + internet)")


def test_tensorrt_runs_on_gpus_only() -> None:
    assert TensorRTBackend.supports("cuda:0") == (True, "")
    usable, reason = TensorRTBackend.supports("cpu")
    assert not usable and "NVIDIA GPUs only" in reason
