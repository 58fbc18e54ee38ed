"""PyTorch backend: the pack's network rebuilt from lensengine.nets with its safetensors weights.

CPU: float32, eager. CUDA: float16 weights in channels_last layout; the uint8 crops go to the GPU once and
normalisation, network and rounding all run there. With ``cuda_graphs`` (the default) the whole step is
captured as a CUDA graph per batch size on its first use and replayed after, which removes the per-kernel
launch cost that dominates small nets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.inference.base import InferenceBackend
from lensengine.inference.preprocess import crops_to_input_torch, output_to_crops_torch

if TYPE_CHECKING:
    import torch

    from lensengine.packs import LensPack

_GRAPH_WARMUP_RUNS = 3


class _CapturedStep(NamedTuple):
    """A CUDA graph and the static tensors it reads (uint8 crops) and writes (uint8 crops)."""

    graph: torch.cuda.CUDAGraph
    crops_in: torch.Tensor
    crops_out: torch.Tensor


class TorchBackend(InferenceBackend):
    """The pack's torch network: float32 on the CPU, float16 (optionally CUDA graphs) on CUDA."""

    name = "torch"

    @classmethod
    def probe(cls) -> tuple[bool, str]:
        try:
            import safetensors  # noqa: F401
            import torch
        except ImportError:
            return False, "torch or safetensors not installed: pip install 'lensengine[torch]'"
        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device"
        return True, f"torch {torch.__version__} ({gpu})"

    @classmethod
    def supports(cls, device: str) -> tuple[bool, str]:
        import torch

        if device == "cpu":
            return True, ""
        if device.startswith("cuda"):
            if torch.cuda.is_available():
                return True, ""
            return False, "torch sees no CUDA device (CPU build of torch, or no NVIDIA driver)"
        return False, f"unknown device {device!r}: use cpu or cuda"

    def __init__(self, pack: LensPack, device: str = "cpu", max_batch: int = 4, cuda_graphs: bool = True) -> None:
        super().__init__(pack, device, max_batch)
        import torch
        from safetensors.torch import load_file

        from lensengine.nets import build_network

        if "safetensors" not in pack.files:
            raise LensEngineError(
                f"lens {pack.name!r} has no safetensors weights, which the torch backend needs: "
                "use --backend onnxruntime"
            )
        net = build_network(pack.arch, **pack.config)
        try:
            net.load_state_dict(load_file(pack.file("safetensors")), strict=True)
        except RuntimeError as exc:
            raise LensEngineError(
                f"lens {pack.name!r}: its weights do not fit {pack.arch} with config {pack.config}: re-export the pack"
            ) from exc
        net.eval().requires_grad_(False)
        self._torch_device = torch.device(device)
        self._on_cuda = self._torch_device.type == "cuda"
        if self._on_cuda:
            net = net.half().to(self._torch_device, memory_format=torch.channels_last)
        self._dtype = torch.float16 if self._on_cuda else torch.float32
        self.precision = "fp16" if self._on_cuda else "fp32"
        self._net = net
        self._cuda_graphs = cuda_graphs and self._on_cuda
        self._captured: dict[tuple[int, ...], _CapturedStep] = {}

    def infer(self, batch: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(batch, np.float32)).to(self._torch_device, self._dtype)
            if self._on_cuda:
                x = x.contiguous(memory_format=torch.channels_last)
            return self._net(x).float().cpu().numpy()

    def _run_checked(self, crops: np.ndarray) -> np.ndarray:
        if not self._on_cuda:
            return super()._run_checked(crops)
        import torch

        host_crops = torch.from_numpy(crops)
        if not self._cuda_graphs:
            with torch.inference_mode():
                return self._device_step(host_crops.to(self._torch_device)).cpu().numpy()
        step = self._captured.get(crops.shape) or self._capture(crops.shape)
        step.crops_in.copy_(host_crops)
        step.graph.replay()
        return step.crops_out.cpu().numpy()

    def _device_step(self, crops: torch.Tensor) -> torch.Tensor:
        """uint8 NHWC crops on the GPU -> uint8 NHWC output on the GPU: normalise, network, round."""
        normalisation = self.pack.normalisation
        return output_to_crops_torch(self._net(crops_to_input_torch(crops, normalisation, self._dtype)), normalisation)

    def _capture(self, shape: tuple[int, ...]) -> _CapturedStep:
        """Capture ``_device_step`` for one input shape, after warm-up runs on a side stream (as the CUDA graph
        documentation requires, so that lazy initialisation does not happen inside the capture)."""
        import torch

        crops_in = torch.zeros(shape, dtype=torch.uint8, device=self._torch_device)
        side_stream = torch.cuda.Stream(self._torch_device)
        side_stream.wait_stream(torch.cuda.current_stream(self._torch_device))
        with torch.cuda.stream(side_stream), torch.inference_mode():
            for _ in range(_GRAPH_WARMUP_RUNS):
                self._device_step(crops_in)
        torch.cuda.current_stream(self._torch_device).wait_stream(side_stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph), torch.inference_mode():
            crops_out = self._device_step(crops_in)
        self._captured[tuple(shape)] = captured = _CapturedStep(graph, crops_in, crops_out)
        return captured

    def close(self) -> None:
        super().close()
        self._captured.clear()
        self._net = None
