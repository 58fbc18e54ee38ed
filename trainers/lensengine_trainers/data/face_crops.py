"""Cut aligned face crops out of a frame stream into a face folder (``extract-faces`` and ``capture``).

Every face found is aligned with lensengine.face.align exactly as the engine aligns faces at run time; its
landmarks are moved into crop pixels with the same matrix. Frames without a face are skipped and counted.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from lensengine.errors import LensEngineError
from lensengine.face.align import DEFAULT_MARGIN, align_matrix, crop_face, transform_points
from lensengine_trainers.data.face_folder import CropGeometry, save_face, write_manifest
from lensengine_trainers.data.frame_sources import FrameStream
from lensengine_trainers.data.still_faces import StillFaceLandmarker


@dataclass
class ExtractSummary:
    """What an extraction did, for the printed summary."""

    frames: int = 0
    unreadable: int = 0
    without_face: int = 0
    crops: int = 0

    def line(self, out_dir: Path) -> str:
        return (
            f"{self.crops} face crops written to {out_dir} from {self.frames} images; "
            f"{self.without_face} without a face skipped, {self.unreadable} unreadable skipped"
        )


def check_geometry(size: int, margin: float) -> CropGeometry:
    """The crop geometry, or a LensEngineError for an unusable size or margin."""
    if not 16 <= size <= 2048:
        raise LensEngineError(f"--size {size} is outside 16..2048: use the lens's crop size, e.g. 256")
    if not 0.0 <= margin <= 2.0:
        raise LensEngineError(f"--margin {margin} is outside 0..2: use the lens's margin, e.g. {DEFAULT_MARGIN}")
    return CropGeometry(size, float(margin))


def extract_faces(
    stream: FrameStream,
    out_dir: str | Path,
    size: int = 256,
    margin: float = DEFAULT_MARGIN,
    max_faces: int = 1,
    max_crops: int | None = None,
    progress: bool = True,
) -> ExtractSummary:
    """Write a crop (``NAME_K.png``) and its landmarks (``NAME_K.npy``) for up to ``max_faces`` faces per frame.

    Stops when the stream ends or ``max_crops`` crops are written. Returns the counts.
    """
    geometry = check_geometry(size, margin)
    out_dir = Path(out_dir)
    write_manifest(out_dir, geometry)
    summary = ExtractSummary()
    with (
        closing(stream.frames),
        StillFaceLandmarker(max_faces=max_faces) as landmarker,
        tqdm(
            stream.frames, total=stream.total, desc=f"faces from {stream.description}", unit="img", disable=not progress
        ) as frames,
    ):
        for name, frame in frames:
            summary.frames += 1
            if frame is None:
                summary.unreadable += 1
                continue
            faces = landmarker.landmarks(frame)
            if len(faces) == 0:
                summary.without_face += 1
            for k, landmarks in enumerate(faces):
                matrix = align_matrix(landmarks, geometry.size, geometry.margin)
                crop = crop_face(frame, matrix, geometry.size)
                save_face(out_dir, f"{name}_{k}", crop, transform_points(landmarks, matrix))
                summary.crops += 1
            frames.set_postfix(crops=summary.crops, no_face=summary.without_face)
            if max_crops is not None and summary.crops >= max_crops:
                break
    return summary
