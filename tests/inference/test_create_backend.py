"""create_backend and backend_report: auto's choice, named backends, clear errors; the CUDA paths where a GPU is."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine.inference import AUTO_ORDER, BACKENDS, backend_report, create_backend
from lensengine.inference.onnxruntime_backend import OnnxRuntimeBackend
from lensengine.inference.torch_backend import TorchBackend

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")


def test_report_lists_every_backend_with_a_reason() -> None:
    report = backend_report()
    assert [name for name, _, _ in report] == list(BACKENDS)
    assert {"tensorrt", "torch", "onnxruntime"} == set(BACKENDS)
    for _, usable, reason in report:
        assert isinstance(usable, bool) and reason
    assert dict((name, usable) for name, usable, _ in report)["onnxruntime"] is True


def test_auto_takes_the_first_usable_in_order_and_logs_why(packs, caplog: pytest.LogCaptureFixture) -> None:
    expected = next(
        (name, device)
        for name, device in AUTO_ORDER
        if BACKENDS[name].probe()[0] and BACKENDS[name].supports(device)[0]
    )
    with caplog.at_level(logging.INFO, logger="lensengine.inference"):
        backend = create_backend(packs["tiny-unet"])
    assert (backend.name, backend.device) == expected
    assert f"backend {expected[0]} on {expected[1]}" in caplog.text
    backend.close()


def test_auto_on_the_cpu_prefers_onnxruntime(packs) -> None:
    with create_backend(packs["tiny-unet"], device="cpu") as backend:
        assert isinstance(backend, OnnxRuntimeBackend) and backend.device == "cpu"


def test_auto_passes_over_a_backend_that_cannot_load_the_pack(packs, caplog: pytest.LogCaptureFixture) -> None:
    # ONNX Runtime refuses an ONNX with a fixed batch of 1 for max_batch 4; the torch backend loads the same
    # pack from its safetensors weights, and auto says why it passed ONNX Runtime over.
    pack = packs["tiny-unet-fixed-batch"]
    with pytest.raises(LensEngineError, match="fixed batch size of 1: re-export it with a dynamic batch axis"):
        create_backend(pack, "onnxruntime", device="cpu", max_batch=4)
    with caplog.at_level(logging.INFO, logger="lensengine.inference"):
        backend = create_backend(pack, device="cpu", max_batch=4)
    assert backend.name == "torch"
    assert "passed over: onnxruntime on cpu" in caplog.text
    with create_backend(pack, "onnxruntime", device="cpu", max_batch=1) as single:
        crops = np.random.default_rng(5).integers(0, 256, (1, 64, 64, 3), dtype=np.uint8)
        assert np.abs(single.run(crops).astype(int) - backend.run(crops)).max() <= 1  # FP32 rounding ties
    backend.close()


def test_torch_needs_the_safetensors_weights(packs) -> None:
    with pytest.raises(LensEngineError, match="no safetensors weights, which the torch backend needs"):
        create_backend(packs["tiny-unet-onnx-only"], "torch", device="cpu")


def test_unknown_backend_and_device_are_clear_errors(packs) -> None:
    with pytest.raises(LensEngineError, match="unknown backend 'openvino': choose auto, tensorrt, torch, onnxruntime"):
        create_backend(packs["tiny-unet"], "openvino")
    with pytest.raises(LensEngineError, match="no backend runs on device 'mps'"):
        create_backend(packs["tiny-unet"], device="mps")
    with pytest.raises(LensEngineError, match="unknown device 'mps'"):
        create_backend(packs["tiny-unet"], "onnxruntime", device="mps")


@pytest.mark.skipif(BACKENDS["tensorrt"].probe()[0], reason="TensorRT is installed here")
def test_named_tensorrt_without_tensorrt_says_what_to_install(packs) -> None:
    with pytest.raises(LensEngineError) as error:
        create_backend(packs["tiny-unet"], "tensorrt")
    assert str(error.value) == (
        "backend tensorrt is not available: tensorrt not installed: pip install tensorrt (NVIDIA GPU + internet)"
    )


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is here")
def test_cuda_without_a_gpu_is_refused_with_the_reason(packs) -> None:
    with pytest.raises(LensEngineError, match="torch sees no CUDA device"):
        create_backend(packs["tiny-unet"], "torch", device="cuda")


def test_bad_max_batch_is_refused(packs) -> None:
    with pytest.raises(LensEngineError, match="max_batch must be a positive integer"):
        create_backend(packs["tiny-unet"], "onnxruntime", max_batch=0)


def test_onnxruntime_leaves_a_core_to_the_tracker(packs, monkeypatch) -> None:
    from lensengine.inference.cpu_cores import LENS_THREADS_ENV, physical_cpu_cores

    monkeypatch.delenv(LENS_THREADS_ENV, raising=False)
    with create_backend(packs["tiny-unet"], "onnxruntime", device="cpu") as backend:
        options = backend._session.get_session_options()
        assert options.intra_op_num_threads == max(1, physical_cpu_cores() - 1)


def test_a_frame_lens_has_every_core_since_nothing_tracks_beside_it(packs, monkeypatch) -> None:
    from lensengine.inference.cpu_cores import LENS_THREADS_ENV, physical_cpu_cores

    monkeypatch.delenv(LENS_THREADS_ENV, raising=False)
    with create_backend(packs["tiny-johnson"], "onnxruntime", device="cpu") as backend:
        assert backend._session.get_session_options().intra_op_num_threads == physical_cpu_cores()


def test_lens_threads_can_be_set(packs, monkeypatch) -> None:
    from lensengine.inference.cpu_cores import LENS_THREADS_ENV, inference_threads

    monkeypatch.setenv(LENS_THREADS_ENV, "3")
    with create_backend(packs["tiny-unet"], "onnxruntime", device="cpu") as backend:
        assert backend._session.get_session_options().intra_op_num_threads == 3
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(LENS_THREADS_ENV, bad)
        with pytest.raises(ValueError, match="LENSENGINE_LENS_THREADS"):
            inference_threads()


def test_onnxruntime_reuses_its_input_buffer(packs) -> None:
    pack = packs["tiny-unet"]
    crops = np.random.default_rng(3).integers(0, 256, (4, 64, 64, 3), dtype=np.uint8)
    with create_backend(pack, "onnxruntime", device="cpu", max_batch=4) as backend:
        first = backend.run(crops[:1])
        buffer = backend._input_buffer
        np.testing.assert_array_equal(backend.run(crops)[:1], first)
        assert backend._input_buffer is buffer


@needs_cuda
def test_torch_cuda_graphs_match_eager_fp16(packs) -> None:
    pack = packs["tiny-unet"]
    crops = np.random.default_rng(4).integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    eager = TorchBackend(pack, device="cuda", cuda_graphs=False)
    graphed = TorchBackend(pack, device="cuda", cuda_graphs=True)
    expected = eager.run(crops)
    np.testing.assert_array_equal(graphed.run(crops), expected)
    np.testing.assert_array_equal(graphed.run(crops), expected)  # the replay
    assert list(graphed._captured) == [(3, 64, 64, 3)]
    graphed.run(crops[:1])
    assert len(graphed._captured) == 2


@pytest.mark.parametrize("gpu", [False, True])
def test_cuda_hints_only_where_an_nvidia_gpu_is(packs, caplog, monkeypatch, gpu) -> None:
    import lensengine.inference as inference

    monkeypatch.setattr(inference, "nvidia_gpu_present", lambda: gpu)
    with caplog.at_level(logging.INFO, logger="lensengine.inference"):
        create_backend(packs["tiny-unet"]).close()
    chosen = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO and "for lens" in r.getMessage()]
    assert len(chosen) == 1
    if torch.cuda.is_available():
        return  # a CUDA backend was chosen: nothing was passed over for the CPU
    assert ("on cuda" in chosen[0]) is gpu
