"""Every architecture exports to ONNX (legacy exporter, opset 17) and ONNX Runtime matches torch."""

from __future__ import annotations

import io
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from torch import nn

from lensengine.nets import ARCHITECTURES, build_network

# Small widths keep each export well under a second; sizes are the smallest the nets allow comfortably.
SMALL_NETS = {
    "unet": ({"ngf": 4, "num_downs": 5}, 3, 32),
    "resnet_generator": ({"ngf": 4, "n_blocks": 2, "norm": "batch"}, 3, 32),
    "johnson": ({"width": 4, "n_res": 2}, 3, 32),
    "espcn": ({"scale": 4, "width": 8}, 3, 16),
    "fsrcnn": ({"scale": 3, "d": 8, "s": 4, "m": 2}, 3, 16),
    "srresnet": ({"scale": 4, "width": 8, "n_blocks": 2}, 3, 16),
    "edsr": ({"scale": 4, "width": 8, "n_blocks": 2, "res_scale": 0.1}, 3, 16),
}
DYNAMIC_AXES = {0: "batch", 2: "height", 3: "width"}


def export_onnx(module: nn.Module, example: torch.Tensor) -> bytes:
    """Export with the legacy exporter, opset 17, dynamic batch, height and width."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation and tracer notes
        torch.onnx.export(
            module,
            (example,),
            buffer,
            dynamo=False,
            opset_version=17,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": DYNAMIC_AXES, "output": DYNAMIC_AXES},
        )
    return buffer.getvalue()


def randomize_norms(module: nn.Module) -> None:
    """Random norm parameters and running statistics (a fresh BatchNorm in eval mode is the identity)."""
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, (nn.BatchNorm2d, nn.InstanceNorm2d)):
                if layer.affine:
                    layer.weight.uniform_(0.5, 1.5)
                    layer.bias.normal_(0.0, 0.1)
                if layer.track_running_stats:
                    layer.running_mean.normal_(0.0, 0.1)
                    layer.running_var.uniform_(0.5, 1.5)


def test_every_architecture_has_an_export_case():
    assert set(SMALL_NETS) == set(ARCHITECTURES)


@pytest.mark.parametrize("arch", sorted(SMALL_NETS))
def test_onnx_runtime_matches_torch(arch):
    config, channels, size = SMALL_NETS[arch]
    net = build_network(arch, **config)
    randomize_norms(net)
    net.eval()
    model = export_onnx(net, torch.rand(1, channels, size, size) * 2 - 1)

    graph_input = onnx.load_from_string(model).graph.input[0]
    assert graph_input.type.tensor_type.shape.dim[0].dim_param == "batch"

    # A different batch and size than the export example: the axes really are dynamic.
    x = torch.rand(3, channels, 2 * size, size) * 2 - 1
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    got = session.run(None, {"input": x.numpy()})[0]
    with torch.no_grad():
        want = net(x).numpy()
    assert got.shape == want.shape
    assert want.std() > 1e-3  # a constant output would hide a broken graph
    np.testing.assert_allclose(got, want, atol=1e-4, rtol=0)
