"""Fixtures for the pack tests: a private cache folder, and real small packs made with write_pack."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest
import tomli_w
import tomllib
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import save_file

from lensengine.packs import LensSpec, write_pack

PACK_FIELDS = dict(
    name="toon",
    family="pix2pix",
    kind="face",
    description="Cartoon face, trained on the offline photos",
    outputs="rgb",
    crop_size=32,
    scale=1,
    color_order="RGB",
    normalisation="tanh",
    template="five_point",
    margin=0.35,
    arch="unet",
    config={"ngf": 8, "num_downs": 5, "norm": "instance"},
    provenance={
        "trainer": "lensengine_trainers.pix2pix",
        "steps": 1200,
        "data": {"photos": ["astronaut", "grace_hopper"], "crops": 400},
        "quality": {"l1": 0.0812, "psnr": 21.5, "per_face": {"astronaut": 22.1}},
    },
)


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test extracts zip packs into its own cache folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("LENSENGINE_CACHE_DIR", str(folder))
    return folder


def tiny_onnx(path: Path, seed: int = 0) -> Path:
    """A real ONNX model: a 1x1 convolution with tanh, 3 -> 3 channels, dynamic batch."""
    weight = np.random.default_rng(seed).normal(size=(3, 3, 1, 1)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["input", "weight"], ["conv"]), helper.make_node("Tanh", ["conv"], ["output"])],
        "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 32, 32])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 3, 32, 32])],
        [numpy_helper.from_array(weight, "weight")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


@pytest.fixture
def pack_fields() -> dict:
    """The LensSpec fields of a valid face pack (a fresh copy per test)."""
    return copy.deepcopy(PACK_FIELDS)


@pytest.fixture
def model_files(tmp_path: Path) -> dict[str, Path]:
    """An FP32 ONNX model and a safetensors file, outside any pack."""
    source = tmp_path / "source"
    source.mkdir()
    weights = source / "weights.safetensors"
    save_file({"weight": np.ones((3, 3, 1, 1), np.float32)}, str(weights))
    return {"onnx_fp32": tiny_onnx(source / "net.onnx"), "safetensors": weights}


@pytest.fixture
def pack_folder(tmp_path: Path, model_files: dict[str, Path], pack_fields: dict) -> Path:
    """A valid pack folder written by write_pack."""
    return write_pack(tmp_path / "toon", LensSpec(**pack_fields), model_files)


@pytest.fixture
def edit_manifest() -> Callable[[Path, Callable[[dict], None]], None]:
    """edit_manifest(folder, change): read the folder's lens.toml, let ``change`` edit the dict, write it back."""

    def edit(folder: Path, change: Callable[[dict], None]) -> None:
        manifest = folder / "lens.toml"
        document = tomllib.loads(manifest.read_text(encoding="utf-8"))
        change(document)
        manifest.write_text(tomli_w.dumps(document), encoding="utf-8")

    return edit
