"""extract-faces and capture: real MediaPipe on real photos and on a video file written by OpenCV."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.face.align import DEFAULT_MARGIN, keypoints5, template_points
from lensengine.sources.face_photos import face_photo
from lensengine_trainers.cli import main
from lensengine_trainers.data.face_crops import extract_faces
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.frame_sources import camera_frames, folder_frames, video_frames


@pytest.fixture(scope="module")
def face_video(tmp_path_factory):
    """Six 320x240 frames of the astronaut drifting right, as an mp4v file."""
    path = tmp_path_factory.mktemp("video") / "drift.mp4"
    photo = cv2.resize(face_photo("astronaut"), (240, 240))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    for shift in range(0, 60, 10):
        frame = np.full((240, 320, 3), 90, np.uint8)
        frame[:, shift : shift + 240] = photo
        writer.write(frame)
    writer.release()
    return path


def test_photo_folder_gives_one_aligned_crop_per_face_and_counts_the_rest(tmp_path, photo_folder):
    photos = tmp_path / "photos"
    shutil.copytree(photo_folder, photos)
    cv2.imwrite(str(photos / "wall.png"), np.full((120, 160, 3), 128, np.uint8))
    (photos / "broken.jpg").write_bytes(b"not a jpeg")

    summary = extract_faces(folder_frames(photos), tmp_path / "faces", size=96, progress=False)

    assert (summary.frames, summary.crops, summary.without_face, summary.unreadable) == (8, 6, 1, 1)
    assert "6 face crops" in summary.line(tmp_path / "faces") and "1 without a face" in summary.line(tmp_path)
    faces = FaceFolder(tmp_path / "faces")
    assert len(faces) == 6 and faces.size == 96 and faces.margin == DEFAULT_MARGIN
    assert json.loads((tmp_path / "faces" / "faces.json").read_text())["size"] == 96
    template = template_points(96, DEFAULT_MARGIN)
    for index in range(len(faces)):
        crop, landmarks = faces.load(index)
        assert crop.shape == (96, 96, 3) and landmarks.shape == (478, 2)
        # The aligner put the five keypoints on the template: the crop is cut as the engine cuts it.
        assert np.abs(keypoints5(landmarks) - template).max() < 4.0


def test_video_file_every_second_frame(tmp_path, face_video):
    summary = extract_faces(video_frames(face_video, every=2), tmp_path, size=64, progress=False)
    assert (summary.frames, summary.crops) == (3, 3)
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == ["drift_000000_0.png", "drift_000002_0.png", "drift_000004_0.png"]
    # The face moved right in the frame, but each crop holds it at the same place.
    first, last = FaceFolder(tmp_path).load(0)[1], FaceFolder(tmp_path).load(2)[1]
    assert np.abs(first - last).mean() < 1.5


def test_capture_records_the_requested_count_from_a_camera_source(tmp_path, face_video, capsys):
    status = main(
        [
            "capture",
            "--camera",
            str(face_video),
            "--out",
            str(tmp_path),
            "--count",
            "2",
            "--every",
            "1",
            "--size",
            "64",
            "--no-progress",
        ]
    )
    assert status == 0
    assert len(FaceFolder(tmp_path)) == 2
    assert "2 face crops written" in capsys.readouterr().out


def test_extract_faces_command(tmp_path, photo_folder, capsys):
    status = main(
        ["extract-faces", "--images", str(photo_folder), "--out", str(tmp_path), "--size", "64", "--no-progress"]
    )
    assert status == 0 and len(FaceFolder(tmp_path)) == 6
    assert "6 face crops written" in capsys.readouterr().out


def test_a_folder_cut_with_another_geometry_is_refused(tmp_path, photo_folder):
    extract_faces(folder_frames(photo_folder), tmp_path, size=64, max_crops=1, progress=False)
    with pytest.raises(LensEngineError, match="already holds crops of size 64"):
        extract_faces(folder_frames(photo_folder), tmp_path, size=128, progress=False)


def test_bad_sources_are_one_line_errors(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.mp4").write_text("not a video")
    with pytest.raises(LensEngineError, match="does not exist"):
        folder_frames(tmp_path / "missing")
    with pytest.raises(LensEngineError, match="holds no images"):
        folder_frames(tmp_path / "empty")
    with pytest.raises(LensEngineError, match="does not exist"):
        video_frames(tmp_path / "missing.mp4")
    with pytest.raises(LensEngineError, match="cannot open video"):
        video_frames(tmp_path / "notes.mp4")
    with pytest.raises(LensEngineError, match="--every must be 1 or more"):
        video_frames(tmp_path / "notes.mp4", every=0)
    with pytest.raises(LensEngineError, match="could not be opened"):
        camera_frames(str(tmp_path / "missing.avi"))
    assert main(["extract-faces", "--images", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("lensengine-train: error: ") and error.count("\n") == 1
