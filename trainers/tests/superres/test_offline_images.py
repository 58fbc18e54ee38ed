"""The offline SR data: real aligned face crops never enlarged, natural photos, and a held-out photo apart."""

from __future__ import annotations

import json

import cv2
import numpy as np

from lensengine.face.align import align_matrix
from lensengine_trainers.data.frame_sources import image_files
from lensengine_trainers.superres.offline_images import native_crop_side, write_offline_images


def test_native_crop_side_undoes_the_aligner_scale():
    landmarks = np.zeros((478, 2), np.float32)
    keypoints = {468: (100, 100), 473: (140, 100), 1: (120, 125), 61: (104, 150), 291: (136, 150)}
    for index, point in keypoints.items():
        landmarks[index] = point
    side = native_crop_side(landmarks, 0.35)
    doubled = native_crop_side(landmarks * 2, 0.35)
    assert abs(doubled - 2 * side) < 1e-6
    matrix = align_matrix(landmarks, 256, 0.35)
    assert abs(256 / np.hypot(*matrix[0, :2]) - side) < 1e-9


def test_writes_train_and_heldout_folders(tmp_path):
    folders = write_offline_images(tmp_path)
    faces = image_files(folders["train"] / "faces")
    natural = image_files(folders["train"] / "natural")
    heldout = image_files(folders["heldout"])
    assert len(faces) == 18 and len(natural) == 14 and len(heldout) == 6
    assert all(path.name.startswith("astronaut") for path in faces)
    assert all(path.name.startswith("grace_hopper") for path in heldout)
    assert not any("grace_hopper" in path.name for path in faces + natural)
    for path in faces:
        crop = cv2.imread(str(path))
        assert crop.shape[0] == crop.shape[1] <= 290  # at most the photo's own resolution (216 / 280 px)
        assert crop.std() > 20  # a real picture, not a flat fill
    assert cv2.imread(str(folders["heldout"] / "grace_hopper_m0.35_r+0.png")).shape == (256, 256, 3)
    record = json.loads((tmp_path / "offline-data.json").read_text())
    assert "held out" in record["heldout"] and len(record["files"]["faces"]) == 18
