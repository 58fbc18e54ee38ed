"""One frame through the data path: track -> align -> lens -> blend (see DESIGN.md).

Two stages, so that the frame loop can overlap them (``pipeline/overlap``): ``track`` finds the faces of a frame
(MediaPipe, most of a frame's CPU time), ``render`` cuts, lenses and pastes them. ``process`` runs both in turn.
"""

from __future__ import annotations

import logging

import numpy as np

from lensengine.compose.paste import paste_back
from lensengine.compose.superres import SuperResChoice
from lensengine.face.align import align_matrix, crop_face, enlarged_matrix, transform_points
from lensengine.face.face import Face
from lensengine.inference.preprocess import swap_rb
from lensengine.lenses.guard import LensRunner, RateLimitedLog
from lensengine.pipeline.stats import PipelineStats


def _box_area(face: Face) -> float:
    x0, y0, x1, y1 = face.box
    return max(0.0, x1 - x0) * max(0.0, y1 - y0)


class FrameProcessor:
    """Applies the current lens to a frame, in place. ``tracker`` is anything with ``track(frame, ms) -> faces``.

    ``track`` and ``render`` may run in two threads (frame N+1 tracked while frame N is rendered), provided each
    is called from one thread only and frames are tracked in order.
    """

    def __init__(self, tracker, stats: PipelineStats, superres: SuperResChoice | None = None) -> None:
        self.tracker = tracker
        self.stats = stats
        self.superres = superres
        self._superres_errors = RateLimitedLog(logging.getLogger("lensengine.compose.superres"))
        self.faces: list[Face] = []

    def process(self, frame: np.ndarray, timestamp_ms: int, runner: LensRunner | None) -> np.ndarray:
        """Both stages in turn: the frame with ``runner``'s lens applied."""
        wants_faces = runner is not None and runner.is_face_lens
        return self.render(frame, self.track(frame, timestamp_ms) if wants_faces else None, runner)

    def track(self, frame: np.ndarray, timestamp_ms: int) -> list[Face]:
        """Stage 1: the faces in ``frame`` (timestamps must increase from call to call)."""
        with self.stats.time("track"):
            return self.tracker.track(frame, timestamp_ms)

    def render(self, frame: np.ndarray, faces: list[Face] | None, runner: LensRunner | None) -> np.ndarray:
        """Stage 2: ``runner``'s lens applied to ``frame`` with its tracked ``faces``. A face lens given None
        (the frame was tracked while no face lens was on, the moment of a switch) passes the frame through."""
        if runner is None:
            return frame
        if not frame.flags.writeable:
            frame = frame.copy()
        if runner.is_face_lens:
            return frame if faces is None else self._face_lens(frame, faces, runner)
        return self._frame_lens(frame, runner)

    def _frame_lens(self, frame: np.ndarray, runner: LensRunner) -> np.ndarray:
        rgb = runner.spec.color_order == "RGB"
        with self.stats.time("lens"):
            out = runner.run(swap_rb(frame) if rgb else frame)
        if out is None:
            return frame
        return swap_rb(out) if rgb else out

    def _face_lens(self, frame: np.ndarray, faces: list[Face], runner: LensRunner) -> np.ndarray:
        self.faces = faces
        self.stats.faces = len(faces)
        if not faces:
            return frame
        spec = runner.spec
        size = spec.crop_size
        with self.stats.time("align"):
            matrices = [align_matrix(face.landmarks, size, spec.margin) for face in faces]
            crops = np.stack([crop_face(frame, m, size) for m in matrices])
            landmarks = np.stack([transform_points(face.landmarks, m) for face, m in zip(faces, matrices)])
        rgb = spec.color_order == "RGB"
        with self.stats.time("lens"):
            # The lens gets its own copy: one that draws into its input must not change the crops kept for blending.
            out = runner.run(swap_rb(crops) if rgb else crops.copy(), landmarks)
        if out is None:
            return frame
        if rgb:
            out = swap_rb(out)
        pastes = [(crops[i], out[i], matrices[i]) for i in range(len(faces))]
        if self.superres is not None and self.superres.applies_to(spec) and out.shape[-1] == 3:  # alpha: no SR
            self._superres(pastes, size)
        with self.stats.time("blend"):
            # Farther (smaller) faces first, so a nearer face that overlaps them is pasted over them.
            for i in sorted(range(len(faces)), key=lambda i: _box_area(faces[i])):
                paste_back(frame, *pastes[i])
        return frame

    def _superres(self, pastes: list, size: int) -> None:
        """Enlarge, in one batch, the crops of faces that cover more frame pixels than the lens's crop has."""
        wanted = self.superres.faces_to_enlarge([m for _, _, m in pastes], size)
        if not wanted:
            return
        stage = self.superres.stage
        try:
            with self.stats.time("superres"):
                big_in, big_out = stage.upscale_for_paste(
                    np.stack([pastes[i][0] for i in wanted]), np.stack([pastes[i][1] for i in wanted])
                )
        except Exception as exc:  # SR is an enhancement: without it the faces are pasted at the lens's size
            self._superres_errors.warning(
                f"super-resolution {stage.name} failed ({type(exc).__name__}: {exc}); faces pasted without it"
            )
            return
        for k, i in enumerate(wanted):
            pastes[i] = (big_in[k], big_out[k], enlarged_matrix(pastes[i][2], stage.scale))
