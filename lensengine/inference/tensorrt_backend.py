"""TensorRT backend: an engine built from the pack's FP16 ONNX (FP32 where the pack has none), cached on disk.

Written against the TensorRT 10.12+/11 Python API: strongly typed networks (the ONNX's types decide the
precision), one optimisation profile, ``IProgressMonitor`` for build progress, a timing cache, and
``set_tensor_address`` + ``execute_async_v3`` on torch's current CUDA stream with torch tensors as I/O.
Cache keys, paths and the stale-engine check live in tensorrt_cache.py (tested without TensorRT).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.inference.base import InferenceBackend
from lensengine.inference.build_progress import BuildProgressBars
from lensengine.inference.frame_size import (
    MAX_FRAME_ASPECT,
    TYPICAL_FRAME_ASPECT,
    frame_pad,
    network_stride,
    round_to_stride,
)
from lensengine.inference.preprocess import crops_to_input_torch, output_to_crops_torch
from lensengine.inference.tensorrt_cache import (
    EnginePaths,
    ProfileShapes,
    cached_engine_usable,
    engine_cache_dir,
    engine_key_fields,
    engine_paths,
    face_profile,
    frame_profile,
    write_cached_engine,
)

if TYPE_CHECKING:
    import torch

    from lensengine.packs import LensPack

log = logging.getLogger("lensengine.inference")

INSTALL_HINT = "pip install tensorrt (NVIDIA GPU + internet)"


def pack_profile(pack: LensPack, max_batch: int) -> ProfileShapes:
    """The input shape range an engine for ``pack`` must accept (see frame_size.py for frame packs)."""
    if pack.kind == "face":
        return face_profile(pack.crop_size, max_batch)
    stride = network_stride(pack.arch, pack.config)
    short = round_to_stride(pack.crop_size, stride)
    margin = 2 * frame_pad(stride)
    typical = round_to_stride(short * TYPICAL_FRAME_ASPECT, stride)
    return frame_profile(short + margin, short * MAX_FRAME_ASPECT + margin, typical + margin)


def _onnx_for_engine(pack: LensPack) -> tuple[str, str]:
    """(file key, precision): the FP16 graph when the pack has one, else the FP32 graph."""
    return ("onnx_fp16", "fp16") if "onnx_fp16" in pack.files else ("onnx_fp32", "fp32")


def engine_cache_entry(pack: LensPack, max_batch: int, device: str = "cuda") -> tuple[EnginePaths, dict]:
    """Where the engine for ``pack`` on ``device`` is cached and the key fields it must record."""
    import tensorrt as trt
    import torch

    file_key, precision = _onnx_for_engine(pack)
    fields = engine_key_fields(
        onnx_sha256=pack.files[file_key].sha256,
        tensorrt_version=trt.__version__,
        gpu_name=torch.cuda.get_device_name(device),
        compute_capability=torch.cuda.get_device_capability(device),
        profile=pack_profile(pack, max_batch),
        precision=precision,
    )
    return engine_paths(engine_cache_dir(), pack.name, fields), fields


def is_engine_cached(pack: LensPack, max_batch: int = 4, device: str = "cuda") -> bool:
    """Whether a usable engine is already on disk (so creating the backend will not build for minutes)."""
    paths, fields = engine_cache_entry(pack, max_batch, device)
    return cached_engine_usable(paths, fields)


def build_engine_ahead(pack: LensPack, max_batch: int = 4, progress: bool = True, device: str = "cuda") -> Path:
    """Build (or find) the cached engine for ``pack`` without running it; returns the engine file.

    For ``lensengine build --lens NAME``: the first build takes minutes, later loads take a second.
    """
    usable, reason = TensorRTBackend.probe()
    if not usable:
        raise LensEngineError(f"cannot build a TensorRT engine: {reason}")
    paths, fields = engine_cache_entry(pack, max_batch, device)
    if not cached_engine_usable(paths, fields):
        write_cached_engine(paths, _build_serialized_engine(pack, paths, fields, progress), fields)
    return paths.engine


def _build_serialized_engine(pack: LensPack, paths: EnginePaths, fields: dict, progress: bool) -> bytes:
    """Parse the ONNX into a strongly typed network and build it with one profile; returns the engine bytes."""
    import tensorrt as trt

    file_key, _ = _onnx_for_engine(pack)
    onnx_path = pack.file(file_key)
    logger = trt.Logger(trt.Logger.WARNING)
    builder = trt.Builder(logger)
    network = builder.create_network(1 << int(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED))
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(onnx_path)):
        first_error = str(parser.get_error(0)) if parser.num_errors else "unknown error"
        raise LensEngineError(f"lens {pack.name!r}: TensorRT cannot parse {onnx_path.name}: {first_error}")
    config = builder.create_builder_config()
    profile = builder.create_optimization_profile()
    shapes = fields["profile"]
    profile.set_shape(network.get_input(0).name, *(tuple(shapes[k]) for k in ("min", "opt", "max")))
    config.add_optimization_profile(profile)
    timing_bytes = paths.timing_cache.read_bytes() if paths.timing_cache.is_file() else b""
    config.set_timing_cache(config.create_timing_cache(timing_bytes), ignore_mismatch=True)
    bars = BuildProgressBars(f"TensorRT engine for {pack.name}")
    monitor = _tensorrt_progress_monitor(bars) if progress else None  # a local: it must outlive the build
    if monitor is not None:
        config.progress_monitor = monitor
    log.info("building TensorRT %s engine for %r (first time only; this takes minutes)", fields["precision"], pack.name)
    try:
        serialized = builder.build_serialized_network(network, config)
    finally:
        bars.close()
    if serialized is None:
        raise LensEngineError(f"lens {pack.name!r}: TensorRT failed to build an engine (see the log above)")
    paths.timing_cache.parent.mkdir(parents=True, exist_ok=True)
    paths.timing_cache.write_bytes(bytes(config.get_timing_cache().serialize()))
    return bytes(serialized)


def _tensorrt_progress_monitor(bars: BuildProgressBars) -> object:
    """A ``trt.IProgressMonitor`` that forwards TensorRT's build callbacks to ``bars``."""
    import tensorrt as trt

    class ForwardingProgressMonitor(trt.IProgressMonitor):
        def __init__(self) -> None:
            trt.IProgressMonitor.__init__(self)

        def phase_start(self, phase_name: str, parent_phase: str | None, num_steps: int) -> None:
            bars.phase_start(phase_name, parent_phase, num_steps)

        def step_complete(self, phase_name: str, step: int) -> bool:
            return bars.step_complete(phase_name, step)

        def phase_finish(self, phase_name: str) -> None:
            bars.phase_finish(phase_name)

    return ForwardingProgressMonitor()


class TensorRTBackend(InferenceBackend):
    """A cached TensorRT engine run on torch CUDA tensors."""

    name = "tensorrt"

    @classmethod
    def probe(cls) -> tuple[bool, str]:
        try:
            import tensorrt
        except ImportError:
            return False, f"tensorrt not installed: {INSTALL_HINT}"
        try:
            import torch
        except ImportError:
            return False, "the TensorRT backend moves data with torch: pip install torch (a CUDA build)"
        if not torch.cuda.is_available():
            return False, f"tensorrt {tensorrt.__version__} installed but torch sees no CUDA device"
        return True, f"tensorrt {tensorrt.__version__} ({torch.cuda.get_device_name(0)})"

    @classmethod
    def supports(cls, device: str) -> tuple[bool, str]:
        if device.startswith("cuda"):
            return True, ""
        return False, "TensorRT runs on NVIDIA GPUs only: use device cuda, or another backend"

    def __init__(self, pack: LensPack, device: str = "cuda", max_batch: int = 4, progress: bool = True) -> None:
        super().__init__(pack, device, max_batch)
        import tensorrt as trt
        import torch

        self._torch_device = torch.device(device)
        self.precision = _onnx_for_engine(pack)[1]
        self._runtime = trt.Runtime(trt.Logger(trt.Logger.WARNING))
        self._engine = self._load_or_build(progress)
        self._context = self._engine.create_execution_context()
        names = [self._engine.get_tensor_name(i) for i in range(self._engine.num_io_tensors)]
        inputs = [n for n in names if self._engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        outputs = [n for n in names if self._engine.get_tensor_mode(n) == trt.TensorIOMode.OUTPUT]
        self._input_name, self._output_name = inputs[0], outputs[0]
        self._input_dtype = _torch_dtype(self._engine.get_tensor_dtype(self._input_name))
        self._output_dtype = _torch_dtype(self._engine.get_tensor_dtype(self._output_name))

    def _load_or_build(self, progress: bool) -> object:
        """The cached engine, rebuilt when missing, stale or foreign (sidecar mismatch), or when TensorRT
        cannot deserialise it (another TensorRT version or GPU wrote it)."""
        paths, fields = engine_cache_entry(self.pack, self.max_batch, self.device)
        if cached_engine_usable(paths, fields):
            engine = self._runtime.deserialize_cuda_engine(paths.engine.read_bytes())
            if engine is not None:
                return engine
            log.warning("cached TensorRT engine %s does not load here; rebuilding it", paths.engine.name)
        serialized = _build_serialized_engine(self.pack, paths, fields, progress)
        write_cached_engine(paths, serialized, fields)
        return self._runtime.deserialize_cuda_engine(serialized)

    def execute(self, batch: torch.Tensor) -> torch.Tensor:
        """Run the engine on a contiguous (N, 3, H, W) CUDA tensor of the engine's input type, on torch's
        current stream; returns the output tensor (the engine's output type)."""
        import torch

        self._context.set_input_shape(self._input_name, tuple(batch.shape))
        output = torch.empty(
            tuple(self._context.get_tensor_shape(self._output_name)), dtype=self._output_dtype, device=batch.device
        )
        self._context.set_tensor_address(self._input_name, batch.data_ptr())
        self._context.set_tensor_address(self._output_name, output.data_ptr())
        if not self._context.execute_async_v3(torch.cuda.current_stream(batch.device).cuda_stream):
            raise LensEngineError(f"TensorRT failed to run the engine for {self.pack.name!r}: see the log above")
        return output

    def infer(self, batch: np.ndarray) -> np.ndarray:
        import torch

        x = torch.from_numpy(np.ascontiguousarray(batch, np.float32)).to(self._torch_device, self._input_dtype)
        return self.execute(x.contiguous()).float().cpu().numpy()

    def _run_checked(self, crops: np.ndarray) -> np.ndarray:
        import torch

        normalisation = self.pack.normalisation
        device_crops = torch.from_numpy(crops).to(self._torch_device)
        batch = crops_to_input_torch(device_crops, normalisation, self._input_dtype).contiguous()
        return output_to_crops_torch(self.execute(batch), normalisation).cpu().numpy()

    def close(self) -> None:
        super().close()
        self._context = None
        self._engine = None
        self._runtime = None


def _torch_dtype(trt_dtype: object) -> torch.dtype:
    import tensorrt as trt
    import torch

    mapping = {trt.DataType.FLOAT: torch.float32, trt.DataType.HALF: torch.float16}
    if trt_dtype not in mapping:
        raise LensEngineError(f"TensorRT engine has {trt_dtype} I/O; lensengine supports float32 and float16")
    return mapping[trt_dtype]
