"""ONNX Runtime backend: the pack's FP32 ONNX on the CPU (the default everywhere), CUDA where installed.

On the CPU the session uses one compute thread per physical core and every graph optimisation; the
normalised input is written into a buffer kept for the largest batch, so a frame allocates only its output.
On CUDA (``pip install onnxruntime-gpu``) the pack's FP16 ONNX is used when it has one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.inference.base import InferenceBackend
from lensengine.inference.cpu_cores import inference_threads
from lensengine.inference.preprocess import crops_to_input, output_to_crops

if TYPE_CHECKING:
    from lensengine.packs import LensPack

log = logging.getLogger("lensengine.inference")

_NUMPY_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


class OnnxRuntimeBackend(InferenceBackend):
    """A pack's ONNX model in an ONNX Runtime InferenceSession."""

    name = "onnxruntime"

    @classmethod
    def probe(cls) -> tuple[bool, str]:
        try:
            import onnxruntime
        except ImportError:
            return False, "onnxruntime not installed: pip install onnxruntime (or onnxruntime-gpu for CUDA)"
        providers = ", ".join(onnxruntime.get_available_providers())
        return True, f"onnxruntime {onnxruntime.__version__} ({providers})"

    @classmethod
    def supports(cls, device: str) -> tuple[bool, str]:
        if device == "cpu":
            return True, ""
        if device.startswith("cuda"):
            import onnxruntime

            if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
                return True, ""
            return False, "this onnxruntime has no CUDA provider: pip install onnxruntime-gpu"
        return False, f"unknown device {device!r}: use cpu or cuda"

    def __init__(self, pack: LensPack, device: str = "cpu", max_batch: int = 4) -> None:
        super().__init__(pack, device, max_batch)
        import onnxruntime

        on_cuda = device.startswith("cuda")
        self.precision = "fp16" if on_cuda and "onnx_fp16" in pack.files else "fp32"
        model_path = pack.file(f"onnx_{self.precision}")
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = inference_threads(beside_tracker=pack.kind != "frame")
        options.inter_op_num_threads = 1
        if on_cuda:
            device_id = int(device.partition(":")[2] or 0)
            providers = [("CUDAExecutionProvider", {"device_id": device_id}), "CPUExecutionProvider"]
        else:
            providers = ["CPUExecutionProvider"]
        try:
            self._session = onnxruntime.InferenceSession(str(model_path), options, providers=providers)
        except Exception as exc:  # onnxruntime raises its own exception types for bad models
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise LensEngineError(
                f"lens {pack.name!r}: ONNX Runtime cannot load {model_path.name} ({first_line}): re-export the pack"
            ) from exc
        if on_cuda and self._session.get_providers()[0] != "CUDAExecutionProvider":
            raise LensEngineError(
                "onnxruntime could not start its CUDA provider: check the CUDA and cuDNN versions it needs"
            )
        model_input, model_output = self._session.get_inputs()[0], self._session.get_outputs()[0]
        fixed_batch = model_input.shape[0]
        if isinstance(fixed_batch, int) and (fixed_batch, max_batch) != (1, 1):
            raise LensEngineError(
                f"lens {pack.name!r}: {model_path.name} has a fixed batch size of {fixed_batch}: "
                "re-export it with a dynamic batch axis (or run it with max_batch=1 if that size is 1)"
            )
        self._input_name, self._output_name = model_input.name, model_output.name
        self._input_type = _NUMPY_TYPES.get(model_input.type, np.float32)
        self._input_buffer: np.ndarray | None = None
        log.debug("onnxruntime: %s on %s, %d threads", model_path.name, providers[0], options.intra_op_num_threads)

    def infer(self, batch: np.ndarray) -> np.ndarray:
        feed = {self._input_name: batch.astype(self._input_type, copy=False)}
        (output,) = self._session.run([self._output_name], feed)
        return output.astype(np.float32, copy=False)

    def _run_checked(self, crops: np.ndarray) -> np.ndarray:
        normalisation = self.pack.normalisation
        batch = crops_to_input(crops, normalisation, out=self._buffer_for(crops.shape))
        return output_to_crops(self.infer(batch), normalisation)

    def _buffer_for(self, crops_shape: tuple[int, ...]) -> np.ndarray:
        """A view of the kept input buffer for (n, h, w, 3) crops, reallocated when the image size changes."""
        n, h, w, channels = crops_shape
        wanted = (self.max_batch, channels, h, w)
        if self._input_buffer is None or self._input_buffer.shape != wanted:
            self._input_buffer = np.empty(wanted, np.float32)
        return self._input_buffer[:n]

    def close(self) -> None:
        super().close()
        self._session = None
        self._input_buffer = None
