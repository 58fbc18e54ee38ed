"""FaceTracker on real MediaPipe with real photos: landmark accuracy, stable ids, smoothing, edge cases."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.face.align import LEFT_EYE, RIGHT_EYE
from lensengine.face.tracker import FaceTracker, detection_size

EYE_TOLERANCE_PX = 4.0  # hand measurement (+-1.5 px) plus MediaPipe's own error
FRAME_MS = 33


def irises(face) -> np.ndarray:
    return face.landmarks[[LEFT_EYE, RIGHT_EYE]]


def write_and_read_video(path, frames, fps=30.0) -> list[np.ndarray]:
    """Round-trip frames through an MJPG .avi written and decoded by OpenCV (real compression noise)."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    capture = cv2.VideoCapture(str(path))
    decoded = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        decoded.append(frame)
    capture.release()
    assert len(decoded) == len(frames)
    return decoded


class TestLandmarksLandOnTheEyes:
    @pytest.mark.parametrize("name, x, y", [("astronaut", 200, 120), ("grace_hopper", 150, 60)])
    def test_iris_centres_match_hand_measurements(self, tracker, scenes, name, x, y):
        faces = tracker.track(scenes.frame([(name, x, y)]), 0)
        assert len(faces) == 1
        np.testing.assert_allclose(irises(faces[0]), scenes.iris_centres(name, x, y), atol=EYE_TOLERANCE_PX)

    def test_large_frames_are_detected_small_and_landmarks_scaled_back(self, tracker, scenes):
        assert detection_size(1920, 1080, tracker.downscale_above, tracker.downscale_to) == (1280, 720)
        frame = scenes.frame([("grace_hopper", 700, 150, 2.5)], size=(1920, 1080))
        faces = tracker.track(frame, 0)
        assert len(faces) == 1
        expected = scenes.iris_centres("grace_hopper", 700, 150, scale=2.5)
        np.testing.assert_allclose(irises(faces[0]), expected, atol=2.5 * EYE_TOLERANCE_PX)


class TestFaceRecords:
    def test_fields_follow_the_face_contract(self, tracker, scenes):
        faces = tracker.track(scenes.frame([("astronaut", 30, 130), ("grace_hopper", 300, 80)]), 0)
        assert [f.id for f in faces] == sorted(f.id for f in faces) and len(faces) == 2
        for face in faces:
            assert face.landmarks.shape == (478, 2) and face.landmarks.dtype == np.float32
            x0, y0, x1, y1 = face.box
            np.testing.assert_allclose([x0, y0], face.landmarks.min(axis=0))
            np.testing.assert_allclose([x1, y1], face.landmarks.max(axis=0))
            assert 0.0 <= face.score <= 1.0

    def test_empty_frame_has_no_faces(self, tracker, scenes):
        assert tracker.track(scenes.frame([]), 0) == []

    def test_face_sliding_half_out_of_the_frame_is_followed(self, tracker, scenes):
        # Grace Hopper's face spans x 60..245 of her cut: at x=-130 its left 70 px (38%) are outside the frame.
        ids = set()
        for i, x in enumerate(range(40, -131, -10)):
            faces = tracker.track(scenes.frame([("grace_hopper", x, 60)]), i * FRAME_MS)
            assert len(faces) == 1
            ids.add(faces[0].id)
        assert len(ids) == 1
        x0, _, x1, _ = faces[0].box
        assert x0 < -40 and 100 < x1 < 130  # the box reaches past the left edge
        right_iris = scenes.iris_centres("grace_hopper", -130, 60)[1]
        np.testing.assert_allclose(irises(faces[0])[1], right_iris, atol=EYE_TOLERANCE_PX)


class TestStableIds:
    def test_moving_face_from_a_video_file_keeps_its_id_and_is_followed(self, tracker, scenes, tmp_path):
        positions = [(100 + 4 * i, 60 + 2 * i) for i in range(24)]
        frames = write_and_read_video(
            tmp_path / "moving.avi", [scenes.frame([("grace_hopper", *p)]) for p in positions]
        )
        ids = set()
        for i, (frame, position) in enumerate(zip(frames, positions)):
            faces = tracker.track(frame, i * FRAME_MS)
            assert len(faces) == 1
            ids.add(faces[0].id)
            np.testing.assert_allclose(
                irises(faces[0]), scenes.iris_centres("grace_hopper", *position), atol=EYE_TOLERANCE_PX
            )
        assert len(ids) == 1

    def test_two_faces_get_distinct_ids_that_stay_while_they_move(self, tracker, scenes):
        seen = []
        for i in range(12):
            frame = scenes.frame([("astronaut", 30 + 2 * i, 130 - i), ("grace_hopper", 300 - 2 * i, 80 + i)])
            faces = tracker.track(frame, i * FRAME_MS)
            assert len(faces) == 2
            by_side = sorted(faces, key=lambda f: f.box[0])
            seen.append((by_side[0].id, by_side[1].id))
        assert seen[0][0] != seen[0][1]
        assert set(seen) == {seen[0]}

    def test_face_missing_for_two_frames_keeps_its_id(self, tracker, scenes):
        face_ids = []
        for i in range(10):
            missing = i in (4, 5)
            faces = tracker.track(scenes.frame([] if missing else [("grace_hopper", 120 + i, 60)]), i * FRAME_MS)
            assert len(faces) == (0 if missing else 1)
            face_ids += [f.id for f in faces]
        assert len(face_ids) == 8 and len(set(face_ids)) == 1

    def test_face_missing_longer_than_max_lost_comes_back_with_a_new_id(self, tracker, scenes):
        frame = scenes.frame([("grace_hopper", 120, 60)])
        first = tracker.track(frame, 0)[0].id
        for i in range(1, tracker.ids.max_lost + 2):
            assert tracker.track(scenes.frame([]), i * FRAME_MS) == []
        assert tracker.track(frame, 1000)[0].id > first


class TestSmoothing:
    def test_jitter_on_a_still_face_is_lower_with_smoothing(self, tracker, raw_tracker, scenes):
        rng = np.random.default_rng(3)
        frames = [scenes.frame([("grace_hopper", 160, 80)], noise=6.0, rng=rng) for _ in range(30)]
        smoothed = np.array([tracker.track(f, i * FRAME_MS)[0].landmarks for i, f in enumerate(frames)])
        raw = np.array([raw_tracker.track(f, i * FRAME_MS)[0].landmarks for i, f in enumerate(frames)])
        raw_jitter = raw[10:].std(axis=0).mean()
        smoothed_jitter = smoothed[10:].std(axis=0).mean()
        assert raw_jitter > 0.05  # the noise does move MediaPipe's landmarks
        assert smoothed_jitter < 0.6 * raw_jitter  # measured about 0.3 x


class TestTimestampsAndLifecycle:
    def test_timestamps_that_repeat_or_go_back_are_accepted(self, tracker, scenes):
        frame = scenes.frame([("grace_hopper", 120, 60)])
        for timestamp in (5000, 5000, 4000, 0, 33):
            assert len(tracker.track(frame, timestamp)) == 1

    def test_repeated_timestamp_is_bumped_and_a_restarted_clock_keeps_its_pace(self, tracker):
        last = tracker._last_timestamp_ms
        assert tracker._landmarker_timestamp(0) == last + 1
        assert tracker._landmarker_timestamp(0) == last + 2
        assert tracker._landmarker_timestamp(33) == last + 35

    @pytest.mark.parametrize(
        "frame", [np.zeros((48, 64), np.uint8), np.zeros((48, 64, 3), np.float32), np.zeros((48, 64, 4), np.uint8)]
    )
    def test_bad_frames(self, tracker, frame):
        with pytest.raises(LensEngineError, match="HxWx3 uint8"):
            tracker.track(frame, 0)

    def test_context_manager_closes_and_a_closed_tracker_says_so(self, face_model_path, scenes):
        with FaceTracker(model_path=face_model_path, max_faces=1) as own:
            assert len(own.track(scenes.frame([("grace_hopper", 120, 60)]), 0)) == 1
        own.close()  # twice is fine
        with pytest.raises(LensEngineError, match="closed"):
            own.track(scenes.frame([]), 33)

    def test_corrupt_model_file_is_an_error_naming_it(self, tmp_path, monkeypatch):
        monkeypatch.delenv("LENSENGINE_FACE_MODEL_SHA256", raising=False)
        bad = tmp_path / "face_landmarker.task"
        bad.write_bytes(b"\0" * 3_758_596)
        with pytest.raises(LensEngineError, match="face_landmarker.task"):
            FaceTracker(model_path=bad)

    def test_a_model_mediapipe_cannot_load_is_a_one_line_error(self, tmp_path, monkeypatch):
        unloadable = tmp_path / "mine.task"
        unloadable.write_bytes(b"not a zip")
        monkeypatch.setenv("LENSENGINE_FACE_MODEL_SHA256", hashlib.sha256(b"not a zip").hexdigest())
        with pytest.raises(LensEngineError) as error:
            FaceTracker(model_path=unloadable)
        assert str(unloadable) in str(error.value) and "\n" not in str(error.value)

    @pytest.mark.parametrize("kwargs", [{"max_faces": 0}, {"min_detection_confidence": 1.5}, {"smoothing": (0.0, 1.0)}])
    def test_bad_settings(self, face_model_path, kwargs):
        with pytest.raises(LensEngineError):
            FaceTracker(model_path=face_model_path, **kwargs)
