"""make-pairs: a teacher face lens over a face folder, written as pix2pix A|B files."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.face.align import LEFT_EYE, RIGHT_EYE
from lensengine_trainers.cli import main
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.pair_folder import PairFolder, make_pairs
from lensengine_trainers.data.teacher import load_teacher


def test_pairs_hold_the_face_and_the_teacher_output(tmp_path, face_folder, iris_marker):
    faces = FaceFolder(face_folder)
    teacher = iris_marker(crop_size=64)
    assert make_pairs(faces, teacher, tmp_path, batch_size=4, progress=False) == len(faces)
    pairs = PairFolder(tmp_path)
    assert (len(pairs), pairs.size, pairs.margin, pairs.teacher) == (len(faces), 64, faces.margin, "iris_marker")
    for index in range(len(pairs)):
        a, b = pairs.load(index)
        crop, landmarks = faces.load(index)
        assert np.array_equal(a, crop)
        x, y = np.rint(landmarks[LEFT_EYE]).astype(int)
        assert tuple(b[y, x]) == teacher.lens.LEFT_COLOUR
        assert np.array_equal(b, teacher.apply(crop[None], landmarks[None])[0])


def test_crops_are_resized_to_the_teacher_crop_size(tmp_path, face_folder, iris_marker):
    make_pairs(FaceFolder(face_folder), iris_marker(crop_size=96), tmp_path, progress=False)
    image = cv2.imread(str(next(tmp_path.glob("*.png"))))
    assert image.shape == (96, 192, 3)


def test_a_teacher_with_another_margin_is_refused(tmp_path, face_folder, iris_marker):
    with pytest.raises(LensEngineError, match="extract the faces again with --margin 0.5"):
        make_pairs(FaceFolder(face_folder), iris_marker(margin=0.5), tmp_path, progress=False)


def test_teacher_found_by_name_through_the_entry_points(tmp_path, face_folder, capsys):
    pytest.importorskip("lensengine_thug_glasses", reason="the thug_glasses plugin is not installed")
    status = main(
        [
            "make-pairs",
            "--teacher",
            "thug_glasses_classic",
            "--faces",
            str(face_folder),
            "--out",
            str(tmp_path),
            "--no-progress",
        ]
    )
    assert status == 0 and "6 A|B pairs" in capsys.readouterr().out
    pairs, faces = PairFolder(tmp_path), FaceFolder(face_folder)
    for index in range(len(pairs)):
        a, b = pairs.load(index)
        assert a.shape == (256, 256, 3)
        eyes = faces.load(index)[1][[LEFT_EYE, RIGHT_EYE]] * 256 / 64
        changed_rows = np.nonzero(np.any(a != b, axis=2))[0]
        assert abs(changed_rows.mean() - eyes[:, 1].mean()) < 16  # the glasses sit on the eye line


def test_unknown_or_frame_teachers_are_refused(tmp_path, face_folder, capsys):
    assert main(["make-pairs", "--teacher", "no_such_lens", "--faces", str(face_folder), "--out", str(tmp_path)]) == 2
    assert "unknown lens 'no_such_lens'" in capsys.readouterr().err
    pytest.importorskip("lensengine_example_lens", reason="the example plugin is not installed")
    with pytest.raises(LensEngineError, match="a teacher must be a face lens"):
        load_teacher("example_sepia")
