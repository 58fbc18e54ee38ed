"""While a first TensorRT build runs, a lens serves frames from the fallback backend, then switches."""

import threading

import numpy as np

from lensengine.inference.engine_build_fallback import SwappableBackend, build_in_background


class FakeBackend:
    def __init__(self, name, value):
        self.name, self.value, self.closed = name, value, False

    def run(self, crops):
        return np.full_like(crops, self.value)

    def close(self):
        self.closed = True


def test_fallback_serves_until_the_build_is_done_then_swaps():
    fallback = FakeBackend("onnxruntime", 1)
    target = SwappableBackend(fallback)
    release = threading.Event()

    def slow_build():
        release.wait(5)
        return FakeBackend("tensorrt", 2)

    thread = build_in_background(target, slow_build, "lens")
    crops = np.zeros((2, 8, 8, 3), np.uint8)
    assert (target.run(crops) == 1).all() and target.current.name == "onnxruntime"
    release.set()
    thread.join(5)
    assert (target.run(crops) == 2).all() and target.current.name == "tensorrt"
    assert fallback.closed


def test_failed_build_keeps_the_fallback(caplog):
    fallback = FakeBackend("torch", 3)
    target = SwappableBackend(fallback)

    def broken_build():
        raise RuntimeError("out of GPU memory")

    build_in_background(target, broken_build, "lens").join(5)
    assert target.current is fallback and not fallback.closed
    assert "out of GPU memory" in caplog.text and "staying on torch" in caplog.text


def test_neural_lens_uses_the_fallback_while_tensorrt_builds(monkeypatch, packs):
    """With TensorRT 'available' but no engine cached, the lens starts on another backend at once."""
    import lensengine.lenses.neural as neural_lens

    started = threading.Event()
    monkeypatch.setattr(neural_lens, "tensorrt_needs_first_build", lambda pack, max_batch: True)

    class NeverReadyTensorRT:
        def __init__(self, *args, **kwargs):
            started.set()
            raise RuntimeError("no GPU in this test")

    monkeypatch.setattr(neural_lens, "TensorRTBackend", NeverReadyTensorRT)
    unet_pack = packs["tiny-unet"]
    lens = neural_lens.NeuralLens(unet_pack)
    assert lens.backend.current.name in ("onnxruntime", "torch")
    assert started.wait(5)
    crops = np.zeros((1, unet_pack.crop_size, unet_pack.crop_size, 3), np.uint8)
    assert lens.apply(crops).shape == crops.shape
    lens.close()
