"""SR packs for the stage's tests: the pack the superres plugin ships, the same model declared RGB, and a small
pack whose ONNX is fixed to its crop size."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch

from lensengine.nets import build_network
from lensengine.packs import LensPack, LensSpec, load_pack, write_pack


@pytest.fixture(scope="session")
def shipped_pack_path() -> Path:
    from lensengine_superres.plugin import PACKS_DIR

    from lensengine.packs import packs_in

    found = packs_in(PACKS_DIR)
    assert found, "the superres plugin ships no pack: pip install -e plugins/superres"
    return found[0]


@pytest.fixture(scope="session")
def shipped_pack(shipped_pack_path) -> LensPack:
    return load_pack(shipped_pack_path)


def _same_model_as(pack: LensPack, out: Path, **changes) -> LensPack:
    files = {key: entry.path for key, entry in pack.files.items()}
    return load_pack(write_pack(out, LensSpec(**{**pack.spec_fields(), "provenance": {}, **changes}), files))


@pytest.fixture(scope="session")
def rgb_pack(shipped_pack, tmp_path_factory) -> LensPack:
    """The shipped model, its manifest saying it works in RGB."""
    return _same_model_as(shipped_pack, tmp_path_factory.mktemp("rgb") / "pack", name="sr-rgb", color_order="RGB")


@pytest.fixture(scope="session")
def style_pack(shipped_pack, tmp_path_factory) -> LensPack:
    """The shipped model's files under a manifest of another family (not an SR pack)."""
    return _same_model_as(
        shipped_pack, tmp_path_factory.mktemp("style") / "pack", name="not-sr", family="pix2pix", scale=1
    )


@pytest.fixture(scope="session")
def fixed_size_pack(tmp_path_factory) -> LensPack:
    """A random x2 ESPCN whose ONNX takes only 32 x 32 crops (dynamic batch only), as a pack made by hand."""
    folder = tmp_path_factory.mktemp("fixed")
    torch.manual_seed(0)
    net = build_network("espcn", scale=2, width=8).eval()
    onnx_path = folder / "net.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            net,
            torch.rand(1, 3, 32, 32),
            str(onnx_path),
            dynamo=False,
            opset_version=17,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        )
    return load_pack(
        write_pack(
            folder / "pack",
            LensSpec(
                name="fixed-sr",
                family="superres",
                kind="face",
                description="fixed size",
                crop_size=32,
                scale=2,
                color_order="BGR",
                normalisation="unit",
                template="five_point",
                margin=0.35,
                arch="espcn",
                config=dict(net.config),
                provenance={},
            ),
            {"onnx_fp32": onnx_path},
        )
    )
