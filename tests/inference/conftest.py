"""Small real lens packs, made once per session: torch nets from lensengine.nets with random weights, exported
with lensengine_trainers.common.export_pack (or written by hand with write_pack where a pack must be flawed) and loaded
back with load_pack."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from lensengine.nets import build_network
from lensengine.packs import LensPack, LensSpec, load_pack, write_pack
from lensengine_trainers.common.export_pack import export_pack

# name -> (arch, config, family, kind, crop_size, scale, normalisation)
PACK_RECIPES = {
    "tiny-unet": ("unet", {"ngf": 8, "num_downs": 5, "norm": "batch"}, "pix2pix", "face", 64, 1, "tanh"),
    "tiny-resnet": (
        "resnet_generator",
        {"ngf": 8, "n_blocks": 2, "norm": "instance"},
        "cyclegan",
        "face",
        64,
        1,
        "tanh",
    ),
    "tiny-espcn": ("espcn", {"scale": 2, "width": 16}, "superres", "face", 32, 2, "unit"),
    "tiny-johnson": ("johnson", {"width": 8, "n_res": 1}, "style", "frame", 64, 1, "tanh"),
}


def _randomise_batch_norm(net: torch.nn.Module, generator: torch.Generator) -> None:
    """Give batch-norm layers non-trivial running statistics, as a trained net has."""
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.copy_(torch.randn(module.num_features, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(module.num_features, generator=generator) + 0.5)


def _tiny_network(name: str) -> torch.nn.Module:
    """The recipe's network with seeded random weights (and batch-norm statistics), in eval mode."""
    arch, config = PACK_RECIPES[name][:2]
    torch.manual_seed(sum(map(ord, name)))
    net = build_network(arch, **config)
    _randomise_batch_norm(net, torch.Generator().manual_seed(sum(map(ord, name))))
    return net.eval()


def _manifest_fields(name: str) -> LensSpec:
    arch, config, family, kind, crop_size, scale, normalisation = PACK_RECIPES[name]
    return LensSpec(
        name=name,
        family=family,
        kind=kind,
        description=f"test pack {name}",
        crop_size=crop_size,
        scale=scale,
        color_order="RGB",
        normalisation=normalisation,
        template="five_point" if kind == "face" else "none",
        margin=0.35,
        arch=arch,
        config=config,
        provenance={"trainer": "tests", "steps": 0, "quality": {"note": "random weights"}},
    )


def _fixed_batch_unet_pack(folder: Path) -> Path:
    """tiny-unet exported by hand without a dynamic batch axis: its ONNX takes batches of exactly 1."""
    net = _tiny_network("tiny-unet")
    work = folder / "work"
    work.mkdir(parents=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shape checks and constant folding
        torch.onnx.export(net, torch.zeros(1, 3, 64, 64), str(work / "model.onnx"), dynamo=False, opset_version=17)
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(work / "model.safetensors"))
    files = {"onnx_fp32": work / "model.onnx", "safetensors": work / "model.safetensors"}
    return write_pack(folder / "tiny-unet", _manifest_fields("tiny-unet"), files)


@pytest.fixture(scope="session", autouse=True)
def engine_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory):
    """TensorRT engines built by these tests (where TensorRT runs) go to a temporary folder, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LENSENGINE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="session")
def pack_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every recipe exported with lensengine_trainers.common.export_pack (FP32 + FP16 ONNX, safetensors), plus two
    flawed tiny-unet packs: 'tiny-unet-onnx-only' (no safetensors weights) and 'tiny-unet-fixed-batch' (its
    ONNX takes batches of 1 only)."""
    root = tmp_path_factory.mktemp("packs")
    folders = {
        name: export_pack(_tiny_network(name), root / name, _manifest_fields(name)).root for name in PACK_RECIPES
    }
    onnx_only = {"onnx_fp32": folders["tiny-unet"] / "model.onnx"}
    folders["tiny-unet-onnx-only"] = write_pack(
        root / "onnx-only" / "tiny-unet", _manifest_fields("tiny-unet"), onnx_only
    )
    folders["tiny-unet-fixed-batch"] = _fixed_batch_unet_pack(root / "fixed-batch")
    return folders


@pytest.fixture(scope="session")
def packs(pack_folders: dict[str, Path]) -> dict[str, LensPack]:
    return {name: load_pack(folder) for name, folder in pack_folders.items()}


@pytest.fixture(scope="session")
def torch_reference():
    """f(pack, batch): the torch FP32 network of ``pack`` on a normalised (N, 3, H, W) float32 batch. Every
    backend must match it."""
    from safetensors.torch import load_file

    def run(pack: LensPack, batch: np.ndarray) -> np.ndarray:
        net = build_network(pack.arch, **pack.config)
        net.load_state_dict(load_file(pack.file("safetensors")))
        with torch.inference_mode():
            return net.eval()(torch.from_numpy(batch)).numpy()

    return run
