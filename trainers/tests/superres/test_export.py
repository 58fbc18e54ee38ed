"""SR packs: ONNX Runtime gives what torch gives at any size, and the manifest says superres."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
import torch

from lensengine.nets import build_network
from lensengine.packs import PackError
from lensengine_trainers.superres.export import export_superres_pack


@pytest.mark.parametrize("arch, config", [("espcn", {"width": 8}), ("fsrcnn", {"d": 8, "s": 4, "m": 1})])
@pytest.mark.parametrize("scale", [2, 4])
def test_onnx_equals_torch_at_any_size(tmp_path, arch, config, scale):
    torch.manual_seed(0)
    net = build_network(arch, scale=scale, **config).eval()
    pack = export_superres_pack(
        net, tmp_path / "pack", name="tiny-sr", crop_size=32, description="test", provenance={"trainer": "test"}
    )
    assert (pack.family, pack.kind, pack.scale) == ("superres", "face", scale)
    assert (pack.normalisation, pack.crop_size) == ("unit", 32)
    assert set(pack.files) == {"onnx_fp32", "onnx_fp16", "safetensors"}
    session = onnxruntime.InferenceSession(str(pack.file("onnx_fp32")), providers=["CPUExecutionProvider"])
    for height, width in ((32, 32), (20, 44)):
        batch = torch.rand(2, 3, height, width, generator=torch.Generator().manual_seed(height))
        with torch.no_grad():
            expected = net(batch).numpy()
        output = session.run(None, {"input": batch.numpy()})[0]
        assert output.shape == (2, 3, height * scale, width * scale)
        assert np.abs(output - expected).max() < 1e-4


def test_refuses_a_net_that_is_not_an_sr_net(tmp_path):
    net = build_network("unet", ngf=4, num_downs=5)
    with pytest.raises(PackError, match="not a super-resolution net"):
        export_superres_pack(net, tmp_path / "pack", name="not-sr", crop_size=32, description="", provenance={})
