"""The super-resolution stage: enlarges a lens's output crops before the compositor pastes them back.

A lens at 128 px costs about a quarter of one at 256 px, but a face that covers 300 pixels of a 720p frame,
pasted back from 128 px, looks soft. An SR pack (family ``superres``, x2 or x4) between the lens and the
compositor buys the speed without the blur::

    stage = SuperResStage(load_pack(path))                  # backend "auto", as for lenses
    if superres_wanted(crop_side_in_frame(matrix, size), size):
        big_in, big_out = stage.upscale_for_paste(crops, lens_output)
        paste_back(frame, big_in[i], big_out[i], enlarged_matrix(matrix, stage.scale))

``upscale_for_paste`` enlarges the crops as cut *and* the lens's output, in one batch: the compositor pastes
the change a lens made (output minus input), so where the lens left a pixel alone the frame keeps its own
sharp pixel, and only the change is enlarged by the net. ``upscale`` enlarges one batch of crops.

The stage takes crops of any size (the SR nets are fully convolutional and their packs are exported with free
height and width); a pack whose model is fixed to its crop size takes only that size. Crops are BGR, as
everywhere in the engine; a pack that works in RGB gets its crops swapped on the way in and out.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.face.align import crop_side_in_frame
from lensengine.inference import create_backend
from lensengine.inference.preprocess import check_crops, crops_to_input, output_to_crops, run_in_batches, swap_rb
from lensengine.packs import LensPack, PackError, load_pack

log = logging.getLogger("lensengine.compose.superres")

SUPERRES_FAMILY = "superres"
# ``auto`` runs SR only when the crop covers this many times more frame pixels than it has: a smaller face
# would be shrunk on paste anyway, and SR would only cost time.
MIN_ENLARGEMENT = 1.2
# ``auto`` uses an SR pack only when its measured gain over plain bicubic enlargement on held-out faces
# (provenance.quality.psnr_gain_db, written by the SR trainer's export) is at least this: below it the
# difference cannot be seen, and the stage costs 10-17 ms a frame for nothing.
MIN_AUTO_GAIN_DB = 1.5
_PROBE_SIZE = (17, 23)  # an odd, non-square size no pack is made for: tells whether the model takes any size


def superres_wanted(face_px: float, crop_size: int, min_enlargement: float = MIN_ENLARGEMENT) -> bool:
    """The ``auto`` policy: SR only when the face on screen (``face_px``, the side of the frame square its crop
    covers, see ``crop_side_in_frame``) is larger than the lens's crop by more than ``min_enlargement``."""
    if not crop_size > 0 or not math.isfinite(face_px) or face_px < 0:
        raise LensEngineError(
            f"superres_wanted needs a face size >= 0 and a crop size > 0, got {face_px} and {crop_size}: "
            "pass crop_side_in_frame(matrix, crop_size) and the lens's crop size"
        )
    return face_px > crop_size * min_enlargement


@dataclass(frozen=True)
class SuperResChoice:
    """The SR stage the user's ``--superres`` chose, and which lenses get it.

    SR sharpens what a network drew at its small crop size; algorithmic lenses draw sharp at any size, so they
    get it only when the user names an SR pack (``every_lens``); ``auto`` gives it to neural lenses alone.
    """

    stage: SuperResStage | DeferredSuperResStage
    every_lens: bool = False

    @classmethod
    def for_setting(cls, stage: SuperResStage | DeferredSuperResStage | None, setting: str) -> SuperResChoice | None:
        """The choice for ``--superres setting`` ("auto", "none" or a pack's name) once ``stage`` is resolved."""
        return None if stage is None else cls(stage, every_lens=setting not in ("auto", "none"))

    def applies_to(self, spec) -> bool:
        """Whether faces of the lens ``spec`` (a LensSpec) are super-resolved at all."""
        return self.every_lens or spec.pack is not None

    def faces_to_enlarge(self, matrices: list[np.ndarray], crop_size: int) -> list[int]:
        """Indices of the faces whose crop covers more frame pixels than it has (the ``auto`` policy)."""
        return [i for i, m in enumerate(matrices) if superres_wanted(crop_side_in_frame(m, crop_size), crop_size)]


def measured_gain_db(pack: LensPack) -> float | None:
    """The SR pack's measured PSNR gain over bicubic on held-out images (dB), or None when it records none."""
    quality = pack.provenance.get("quality", {}) if isinstance(pack.provenance, dict) else {}
    gain = quality.get("psnr_gain_db") if isinstance(quality, dict) else None
    return float(gain) if isinstance(gain, (int, float)) and math.isfinite(gain) else None


def worth_it_for_auto(pack: LensPack, min_gain_db: float = MIN_AUTO_GAIN_DB) -> bool:
    """Whether ``--superres auto`` may use ``pack``: only on evidence, a measured gain of ``min_gain_db`` or more."""
    gain = measured_gain_db(pack)
    return gain is not None and gain >= min_gain_db


def find_superres_packs(registry_packs: Iterable[tuple[str, Path]]) -> dict[str, Path]:
    """Name -> path of the SR packs among ``registry_packs`` ((plugin, path) pairs, as PluginRegistry.packs).

    Every pack is loaded (its hashes checked); one that does not load is logged and skipped, and a name seen
    twice keeps the first pack.
    """
    found: dict[str, Path] = {}
    for plugin, path in registry_packs:
        try:
            pack = load_pack(path)
        except PackError as error:
            log.warning("%s: %s (skipped)", plugin, error)
            continue
        if pack.family != SUPERRES_FAMILY:
            continue
        if pack.name in found:
            log.warning("%s: SR pack %r is already provided by %s (skipped)", plugin, pack.name, found[pack.name])
            continue
        found[pack.name] = Path(path)
    return found


class SuperResStage:
    """An SR pack on an inference backend: (N, s, s, 3) BGR crops in, (N, s*scale, s*scale, 3) BGR out."""

    def __init__(self, pack: LensPack, backend: str = "auto", max_batch: int = 4) -> None:
        if pack.family != SUPERRES_FAMILY:
            raise LensEngineError(
                f"pack {pack.name!r} is a {pack.family} lens, not a super-resolution pack: "
                "choose a pack of family superres (lensengine lenses lists them)"
            )
        self.pack = pack
        self.name = pack.name
        self.scale = pack.scale
        self.max_batch = max_batch
        self.backend = create_backend(pack, backend, max_batch=max_batch)
        self.any_size = self._takes_any_size()

    def _takes_any_size(self) -> bool:
        """Whether the model runs on crops of another size than the pack's (a model exported with free height
        and width does; one fixed to the crop size does not)."""
        height, width = _PROBE_SIZE
        probe = np.zeros((1, 3, height, width), np.float32)
        try:
            out = self.backend.infer(probe)
        except Exception:  # each backend fails its own way on a shape its model cannot take; that is the answer
            return False
        return out.shape == (1, 3, height * self.scale, width * self.scale)

    def upscale(self, crops_bgr: np.ndarray) -> np.ndarray:
        """(N, h, w, 3) uint8 BGR -> (N, h*scale, w*scale, 3) uint8 BGR; any N (run in batches of max_batch)."""
        if self.backend.closed:
            raise LensEngineError(f"SR stage {self.name!r} is closed: create a new SuperResStage")
        check_crops(crops_bgr)
        height, width = crops_bgr.shape[1:3]
        side = self.pack.crop_size
        at_crop_size = (height, width) == (side, side)
        if not at_crop_size and not self.any_size:
            raise LensEngineError(
                f"SR pack {self.name!r} takes only {side}x{side} crops, got {width}x{height}: run the lens at "
                f"{side} px, or export the pack again with `lensengine-train superres export` (any size)"
            )
        rgb = self.pack.color_order == "RGB"
        crops = swap_rb(crops_bgr) if rgb else crops_bgr
        out = run_in_batches(self.backend.run if at_crop_size else self._run_any_size, crops, self.max_batch)
        return swap_rb(out) if rgb else out

    def _run_any_size(self, crops: np.ndarray) -> np.ndarray:
        """The network alone on crops of another size than the pack's (the backend's run() checks the size)."""
        normalisation = self.pack.normalisation
        return output_to_crops(self.backend.infer(crops_to_input(crops, normalisation)), normalisation)

    def upscale_for_paste(self, crops_bgr: np.ndarray, lens_output_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The crops as cut and the lens's output for them, both enlarged (one batch): what ``paste_back`` takes
        at the larger size, so that it pastes the lens's change and keeps the frame's own pixels elsewhere."""
        if crops_bgr.shape != lens_output_bgr.shape:
            raise LensEngineError(
                f"crops {crops_bgr.shape} and lens output {lens_output_bgr.shape} differ in shape: "
                "pass the crops the lens was given and what it returned"
            )
        both = self.upscale(np.concatenate([crops_bgr, lens_output_bgr]))
        return both[: len(crops_bgr)], both[len(crops_bgr) :]

    def close(self) -> None:
        """Release the backend; the stage cannot run afterwards."""
        self.backend.close()

    def __enter__(self) -> SuperResStage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class DeferredSuperResStage:
    """A SuperResStage made the first time a face needs it: a run whose lenses never use SR loads no backend
    and announces no SR pack. Same interface as SuperResStage (``name``, ``scale``, ``upscale``,
    ``upscale_for_paste``, ``close``); a backend that fails to load fails every later call at once, without
    trying again."""

    def __init__(self, pack: LensPack, backend: str = "auto", max_batch: int = 4) -> None:
        self.pack, self.name, self.scale = pack, pack.name, pack.scale
        self._backend, self._max_batch = backend, max_batch
        self._stage: SuperResStage | None = None
        self._failure: Exception | None = None

    @property
    def loaded(self) -> bool:
        return self._stage is not None

    def _ready(self) -> SuperResStage:
        if self._failure is not None:
            raise self._failure
        if self._stage is None:
            try:
                self._stage = SuperResStage(self.pack, self._backend, self._max_batch)
            except Exception as exc:
                self._failure = exc
                raise
        return self._stage

    def upscale(self, crops_bgr: np.ndarray) -> np.ndarray:
        return self._ready().upscale(crops_bgr)

    def upscale_for_paste(self, crops_bgr: np.ndarray, lens_output_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._ready().upscale_for_paste(crops_bgr, lens_output_bgr)

    def close(self) -> None:
        if self._stage is not None:
            self._stage.close()

    def __enter__(self) -> DeferredSuperResStage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
