"""Data for the CycleGAN tests: synthetic unpaired folders, and a real face folder cut by MediaPipe."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from lensengine.sources.face_photos import face_photo
from lensengine_trainers.data.face_crops import extract_faces
from lensengine_trainers.data.frame_sources import folder_frames


@pytest.fixture(autouse=True)
def _seeded_two_thread_torch():
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(threads)


def blob_image(seed: int, side: int, bar: bool) -> np.ndarray:
    """A smooth colour field; with ``bar``, a black bar across its upper half (set B's "glasses")."""
    rng = np.random.default_rng(seed)
    image = cv2.resize(rng.integers(60, 200, (3, 3, 3), dtype=np.uint8), (side, side), interpolation=cv2.INTER_CUBIC)
    if bar:
        image[side // 3 : side // 3 + side // 8, side // 5 : side - side // 5] = 0
    return image


@pytest.fixture
def unpaired_folder(tmp_path):
    """trainA/ (plain fields, one of them wide: letterboxed) and trainB/ (fields with a bar), unrelated seeds."""
    root = tmp_path / "unpaired"
    for side, bar, seeds in (("A", False, range(5)), ("B", True, range(100, 104))):
        (root / f"train{side}").mkdir(parents=True)
        for seed in seeds:
            cv2.imwrite(str(root / f"train{side}" / f"{seed}.png"), blob_image(seed, 40, bar))
    cv2.imwrite(str(root / "trainA" / "wide.png"), np.full((20, 40, 3), 90, np.uint8))
    return root


@pytest.fixture(scope="session")
def astronaut_faces(tmp_path_factory):
    """A face folder (256 px crops, margin 0.35) of the astronaut photo, cut by the real MediaPipe."""
    root = tmp_path_factory.mktemp("faces")
    (root / "photos").mkdir()
    cv2.imwrite(str(root / "photos" / "astronaut.png"), face_photo("astronaut"))
    summary = extract_faces(folder_frames(root / "photos"), root / "faces", size=256, progress=False)
    assert summary.crops == 1
    return root / "faces"
