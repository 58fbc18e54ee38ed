"""export_pack: real networks from lensengine.nets to verified packs, and the exports it refuses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from safetensors.torch import load_file

from lensengine.nets import build_network
from lensengine.packs import LensPack, LensSpec, PackError, load_pack
from lensengine_trainers.common.export_pack import export_pack

UNET = ("unet", {"ngf": 8, "num_downs": 5, "norm": "instance"})
FACE = LensSpec(
    name="toon",
    family="pix2pix",
    kind="face",
    description="test toon",
    crop_size=32,
    scale=1,
    color_order="RGB",
    normalisation="tanh",
    template="five_point",
    margin=0.35,
    arch=UNET[0],
    config=UNET[1],
    provenance={"trainer": "test", "quality": {"l1": 0.1}},
)


def face_spec(**changes) -> LensSpec:
    """FACE with some fields changed, checked like any spec."""
    return LensSpec(**{**FACE.spec_fields(), **changes})


def onnx_output(path: Path, batch: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": batch})[0]


def test_face_pack_round_trip(tmp_path: Path) -> None:
    torch.manual_seed(0)
    arch, config = UNET
    net = build_network(arch, **config)  # left in training mode: export must not change it
    pack = export_pack(net, tmp_path / "toon", FACE)

    assert isinstance(pack, LensPack) and pack == load_pack(tmp_path / "toon")
    assert set(pack.files) == {"onnx_fp32", "onnx_fp16", "safetensors"}
    assert pack.spec_fields() == FACE.spec_fields()
    assert net.training

    rebuilt = build_network(pack.arch, **pack.config)
    rebuilt.load_state_dict(load_file(str(pack.file("safetensors"))), strict=True)
    batch = torch.rand(4, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        expected = net.eval()(batch).numpy()
        assert np.array_equal(rebuilt.eval()(batch).numpy(), expected)
    assert np.abs(onnx_output(pack.file("onnx_fp32"), batch.numpy()) - expected).max() < 1e-3
    fp16_output = onnx_output(pack.file("onnx_fp16"), batch.numpy())
    assert np.abs(fp16_output - expected).max() / np.abs(expected).max() < 1e-2

    fp32_model = onnx.load(str(pack.file("onnx_fp32")))
    assert fp32_model.opset_import[0].version == 17
    assert fp32_model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert [d.dim_value for d in fp32_model.graph.input[0].type.tensor_type.shape.dim[1:]] == [3, 32, 32]


@pytest.mark.parametrize(("kind", "template"), [("frame", "none"), ("face", "five_point")])
def test_superres_pack_takes_any_size(tmp_path: Path, kind: str, template: str) -> None:
    net = build_network("espcn", scale=2)
    spec = face_spec(
        family="superres",
        kind=kind,
        scale=2,
        normalisation="unit",
        template=template,
        arch="espcn",
        config={"scale": 2},
    )
    pack = export_pack(net, tmp_path / "sr", spec, fp16=False)
    assert set(pack.files) == {"onnx_fp32", "safetensors"}
    batch = np.random.default_rng(0).uniform(0, 1, (2, 3, 24, 40)).astype(np.float32)
    with torch.no_grad():
        expected = net.eval()(torch.from_numpy(batch)).numpy()
    result = onnx_output(pack.file("onnx_fp32"), batch)
    assert result.shape == (2, 3, 48, 80)
    assert np.abs(result - expected).max() < 1e-3


class NoisyNet(torch.nn.Module):
    """Adds fresh noise on every call: ONNX Runtime's noise is not torch's, so the export cannot match."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.conv(x) + torch.rand_like(x))


def test_export_that_does_not_match_torch_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"lens pack toon: at 32x32, ONNX output differs from the torch network by"):
        export_pack(NoisyNet(), tmp_path / "noisy", face_spec(arch="unet", config={}))
    assert not (tmp_path / "noisy" / "lens.toml").exists()
    assert (tmp_path / "noisy" / "model.onnx").exists()  # kept for inspection, but not a pack any more


def test_network_of_the_wrong_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"turns \(2, 3, 32, 32\) into \(2, 3, 64, 64\); scale 1 needs"):
        export_pack(build_network("espcn", scale=2), tmp_path / "x", face_spec(arch="espcn", config={"scale": 2}))
    assert not (tmp_path / "x").exists()


def test_face_pack_is_exported_at_its_crop_size(tmp_path: Path) -> None:
    arch, config = UNET
    with pytest.raises(PackError, match="a pix2pix face pack is exported at its crop_size 32, not 64"):
        export_pack(build_network(arch, **config), tmp_path / "x", FACE, example_size=64)
