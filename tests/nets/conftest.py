"""Network tests run from a fixed random state on the 2 threads the development machines have."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _seeded_two_thread_torch():
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def onnx_and_torch(tmp_path):
    """A function: (net in eval mode, input batch) -> (ONNX Runtime's output, torch's output) of the exported net.
    With ``free_batch`` the net is exported from a batch of one with a free batch axis, then run on ``x``."""
    ort = pytest.importorskip("onnxruntime")

    def run(net: torch.nn.Module, x: torch.Tensor, free_batch: bool = False):
        path = tmp_path / "net.onnx"
        example, axes = (x[:1], {"input": {0: "batch"}}) if free_batch else (x, None)
        torch.onnx.export(
            net, example, str(path), dynamo=False, opset_version=17, input_names=["input"], dynamic_axes=axes
        )
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        with torch.no_grad():
            return session.run(None, {"input": x.numpy()})[0], net(x).numpy()

    return run
