"""The interface every inference backend shares: load a pack for a device and a maximum batch, run a batch.

A backend has two entry points:

- ``run(crops)``: the engine's call. (N, H, W, 3) uint8 in the pack's colour order in, (N, H*scale, W*scale, 3)
  uint8 out. For face packs H = W = the pack's crop size; frame packs take any size the net accepts.
- ``infer(batch)``: the network alone, (N, 3, H, W) float32 in the pack's normalisation in, float32 out. It
  exists so that backends can be compared number for number (tests/inference/test_conformance.py).
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.inference.preprocess import check_crops, crops_to_input, output_to_crops

if TYPE_CHECKING:
    from lensengine.packs import LensPack


class InferenceBackend(abc.ABC):
    """One loaded network on one device. Subclasses set ``name`` and implement probe, supports and infer."""

    name: str = ""
    precision: str = "fp32"  # the arithmetic the network runs in: "fp32" or "fp16" (set by each backend)

    @classmethod
    @abc.abstractmethod
    def probe(cls) -> tuple[bool, str]:
        """Whether the backend's libraries are installed and work here, and a one-line reason or summary."""

    @classmethod
    @abc.abstractmethod
    def supports(cls, device: str) -> tuple[bool, str]:
        """Whether the backend can run on ``device`` ("cpu", "cuda", "cuda:1") here, and why not."""

    def __init__(self, pack: LensPack, device: str = "cpu", max_batch: int = 4) -> None:
        if not isinstance(max_batch, int) or max_batch < 1:
            raise LensEngineError(f"max_batch must be a positive integer, got {max_batch!r}")
        usable, reason = self.probe()
        if not usable:
            raise LensEngineError(f"backend {self.name} is not available: {reason}")
        usable, reason = self.supports(device)
        if not usable:
            raise LensEngineError(f"backend {self.name} cannot run on {device}: {reason}")
        self.pack = pack
        self.device = device
        self.max_batch = max_batch
        self.closed = False

    @abc.abstractmethod
    def infer(self, batch: np.ndarray) -> np.ndarray:
        """(N, 3, H, W) float32 normalised input -> (N, 3, H*scale, W*scale) float32 network output."""

    def run(self, crops: np.ndarray) -> np.ndarray:
        """(N, H, W, 3) uint8 in the pack's colour order -> (N, H*scale, W*scale, 3) uint8, same order."""
        self.check_batch(crops)
        return self._run_checked(crops)

    def _run_checked(self, crops: np.ndarray) -> np.ndarray:
        """``run`` after its checks; backends that keep pixels on a GPU override this."""
        normalisation = self.pack.normalisation
        return output_to_crops(self.infer(crops_to_input(crops, normalisation)), normalisation)

    def check_batch(self, crops: np.ndarray) -> None:
        """Raise LensEngineError unless ``crops`` is a uint8 batch of at most max_batch images of a size this
        pack takes."""
        if self.closed:
            raise LensEngineError(f"{self.name}: backend for {self.pack.name!r} is closed: create a new one")
        check_crops(crops)
        if len(crops) > self.max_batch:
            raise LensEngineError(
                f"{self.name}: batch of {len(crops)} exceeds max_batch {self.max_batch}: split it into chunks"
            )
        side = self.pack.crop_size
        if self.pack.kind == "face" and crops.shape[1:3] != (side, side):
            raise LensEngineError(
                f"lens {self.pack.name!r} takes {side}x{side} crops, got {crops.shape[2]}x{crops.shape[1]}: "
                "resize the crops first"
            )

    def close(self) -> None:
        """Release the network and its buffers; the backend cannot run afterwards. Subclasses extend this."""
        self.closed = True

    def __enter__(self) -> InferenceBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
