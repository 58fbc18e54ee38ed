"""NeuralLens: a lens pack on an inference backend, shaped as the lens object the engine calls.

Face packs: ``apply(crops, landmarks)`` sends all faces of a frame through the net in batches of at most
``max_batch``; crops of another size than the pack's are resized in and out. Frame packs: ``apply(frame)``
resizes the frame so its short side is the pack's ``crop_size`` (sides a multiple of the net's stride, see
lensengine/inference/frame_size.py) and back. Super-resolution packs change the size, which a lens must not:
they run through ``run()`` only.

Packs with ``outputs = "rgba"`` (a net with an alpha head) return colour plus alpha, (N, S, S, 4), which is the
face-lens form the engine pastes opacity-aware (``lensengine.lens.FaceLens``).

``pack_lens_spec`` turns a pack into a LensSpec (the backend loads when the engine creates the lens);
``find_user_packs`` lists the packs a user dropped into their lens folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import platformdirs

from lensengine.errors import LensEngineError
from lensengine.inference import TensorRTBackend, create_backend, tensorrt_needs_first_build
from lensengine.inference.engine_build_fallback import SwappableBackend, build_in_background
from lensengine.inference.frame_size import frame_pad, frame_work_size, network_stride
from lensengine.inference.preprocess import check_crops, run_in_batches
from lensengine.lens import LensSpec
from lensengine.packs import LensPack, load_pack, packs_in
from lensengine.util.resize import resize

LENS_DIR_ENV = "LENSENGINE_LENS_DIR"


class NeuralLens:
    """A loaded lens pack: face packs batch all faces; frame packs take the whole frame."""

    def __init__(
        self,
        pack: LensPack | str | Path,
        backend: str = "auto",
        max_batch: int = 4,
        device: str | None = None,
    ) -> None:
        self.pack = pack if isinstance(pack, LensPack) else load_pack(pack)
        self.max_batch = max_batch
        if backend == "auto" and device in (None, "cuda") and tensorrt_needs_first_build(self.pack, max_batch):
            # TensorRT would be fastest but its first build takes minutes: serve frames meanwhile.
            self.backend = SwappableBackend(create_backend(self.pack, "auto", max_batch=max_batch, skip=("tensorrt",)))
            build_in_background(self.backend, lambda: TensorRTBackend(self.pack, "cuda", max_batch), self.pack.name)
        else:
            self.backend = SwappableBackend(create_backend(self.pack, backend, device=device, max_batch=max_batch))

    def run(self, crops: np.ndarray) -> np.ndarray:
        """(N, S, S, 3) uint8 in the pack's colour order -> (N, C*scale, C*scale, 3) with C the pack's crop size
        (4 channels, colour + alpha, for ``outputs = "rgba"`` packs).

        Face packs resize crops of another size to C first; frame packs take images as they are. Any N is
        split into batches of max_batch.
        """
        check_crops(crops)
        side = self.pack.crop_size
        if self.pack.kind == "face" and crops.shape[1:3] != (side, side):
            crops = np.stack([resize(crop, side, side) for crop in crops])
        return run_in_batches(self.backend.run, crops, self.max_batch)

    def apply(self, images: np.ndarray, landmarks: np.ndarray | None = None) -> np.ndarray:
        """Face pack: (N, S, S, 3) crops (landmarks unused) -> (N, S, S, 3), or (N, S, S, 4) colour + alpha for an
        ``outputs = "rgba"`` pack. Frame pack: (H, W, 3) -> (H, W, 3)."""
        if self.pack.scale != 1:
            raise LensEngineError(
                f"lens {self.pack.name!r} is a x{self.pack.scale} super-resolution pack: call run(), not apply()"
            )
        if self.pack.kind == "frame":
            return self._apply_frame(images)
        out = self.run(images)
        size = images.shape[1]
        return out if out.shape[1] == size else np.stack([resize(crop, size, size) for crop in out])

    def _apply_frame(self, frame: np.ndarray) -> np.ndarray:
        if not isinstance(frame, np.ndarray) or frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise LensEngineError(f"frame lens {self.pack.name!r} takes an (H, W, 3) uint8 frame")
        height, width = frame.shape[:2]
        stride = network_stride(self.pack.arch, self.pack.config)
        work_h, work_w = frame_work_size(height, width, self.pack.crop_size, stride)
        pad = frame_pad(stride)
        work = resize(frame, work_w, work_h)
        if pad:
            work = cv2.copyMakeBorder(work, pad, pad, pad, pad, cv2.BORDER_REFLECT_101)
        out = self.backend.run(work[None])[0]
        if pad:
            out = out[pad:-pad, pad:-pad]
        return resize(out, width, height)

    def close(self) -> None:
        """Release the backend (the engine calls this when the lens is switched off)."""
        self.backend.close()


def provenance_summary(provenance: dict) -> str:
    """The pack's top-level provenance facts (trainer, data, steps, ...) as 'key value' pairs; tables skipped."""
    facts = [f"{key} {value}" for key, value in provenance.items() if isinstance(value, (str, int, float))]
    return ", ".join(facts)


@dataclass(frozen=True)
class PackLensFactory:
    """``LensSpec.create`` of a pack lens: builds the NeuralLens, loading the backend, only when called.
    ``pack`` (and ``pack_path``) let commands such as ``lensengine build`` reach the pack behind a spec."""

    pack: LensPack
    backend: str = "auto"

    @property
    def pack_path(self) -> Path:
        return self.pack.root

    def __call__(self) -> NeuralLens:
        return NeuralLens(self.pack, backend=self.backend)


def pack_lens_spec(pack: LensPack | str | Path, backend: str = "auto") -> LensSpec:
    """A LensSpec for a pack (folder, zip or loaded). The backend loads only when ``create()`` is called."""
    loaded = pack if isinstance(pack, LensPack) else load_pack(pack)
    summary = provenance_summary(loaded.provenance)
    description = f"{loaded.description} [{loaded.family}" + (f"; {summary}]" if summary else "]")
    return LensSpec(
        name=loaded.name,
        kind=loaded.kind,
        create=PackLensFactory(loaded, backend),
        description=description,
        crop_size=loaded.crop_size,
        color_order=loaded.color_order,
        margin=loaded.margin,
        pack=loaded,
    )


def user_lens_dir() -> Path:
    """The user's lens folder: ``$LENSENGINE_LENS_DIR`` if set, else <user data dir>/lensengine/lenses."""
    return Path(os.environ.get(LENS_DIR_ENV) or Path(platformdirs.user_data_dir("lensengine")) / "lenses")


def find_user_packs(folder: str | Path | None = None) -> list[Path]:
    """Pack folders (holding a lens.toml) and .zip files directly inside ``folder`` (default: user_lens_dir()),
    sorted by name; an absent folder holds none."""
    return packs_in(folder if folder is not None else user_lens_dir())
