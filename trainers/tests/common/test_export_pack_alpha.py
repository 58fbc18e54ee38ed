"""export_pack for nets with an alpha head (``outputs = "rgba"``): ONNX against torch for colour and alpha, a sane
FP16 mask, and a mismatch between the net and the manifest refused."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
import torch

from lensengine.nets import build_network
from lensengine.packs import LensSpec, PackError
from lensengine_trainers.common.export_pack import MAX_FP16_ALPHA_ERROR, _check_fp16_alpha, export_pack

CONFIG = {"ngf": 8, "num_downs": 5, "norm": "instance", "alpha": True}


def spec(**changes) -> LensSpec:
    fields = dict(
        name="glasses",
        family="pix2pix",
        kind="face",
        description="test glasses",
        outputs="rgba",
        crop_size=32,
        scale=1,
        color_order="BGR",
        normalisation="tanh",
        template="five_point",
        margin=0.35,
        arch="unet",
        config=CONFIG,
    )
    return LensSpec(**{**fields, **changes})


def run(path, batch: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": batch})[0]


def test_rgba_pack_matches_torch_for_colour_and_alpha(tmp_path):
    torch.manual_seed(0)
    net = build_network("unet", **CONFIG).eval()
    with torch.no_grad():
        net.up[0][1].bias[-1].fill_(-1.0)  # a mask with values across 0..1, not all near 0.5
    pack = export_pack(net, tmp_path / "glasses", spec())
    assert pack.outputs == "rgba" and set(pack.files) == {"onnx_fp32", "onnx_fp16", "safetensors"}
    batch = torch.rand(3, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        expected = net(batch).numpy()
    fp32 = run(pack.file("onnx_fp32"), batch.numpy())
    assert fp32.shape == (3, 4, 32, 32)
    assert np.abs(fp32[:, :3] - expected[:, :3]).max() < 1e-4
    assert np.abs(fp32[:, 3] - expected[:, 3]).max() < 1e-4
    fp16 = run(pack.file("onnx_fp16"), batch.numpy())
    assert fp16.dtype == np.float32  # FP32 in and out
    assert -1.0 <= fp16[:, 3].min() and fp16[:, 3].max() <= 1.0
    assert np.abs(fp16[:, 3] - expected[:, 3]).max() < MAX_FP16_ALPHA_ERROR


def test_alpha_net_exported_as_rgb_is_refused(tmp_path):
    net = build_network("unet", **CONFIG)
    with pytest.raises(PackError, match=r"needs \(2, 3, 32, 32\).*outputs='rgba'"):
        export_pack(net, tmp_path / "wrong", spec(outputs="rgb"))
    colour_only = build_network("unet", **{**CONFIG, "alpha": False})
    with pytest.raises(PackError, match=r"and outputs 'rgba' needs \(2, 4, 32, 32\)"):
        export_pack(colour_only, tmp_path / "wrong2", spec(config={**CONFIG, "alpha": False}))


def test_fp16_alpha_check():
    good = np.zeros((1, 4, 4), np.float32)
    _check_fp16_alpha("x", good + 0.005, good, "tanh")
    with pytest.raises(PackError, match="alpha leaves"):
        _check_fp16_alpha("x", good + 1.5, good, "tanh")
    with pytest.raises(PackError, match="differs from the torch network's"):
        _check_fp16_alpha("x", good + 0.5, good, "tanh")
