"""The landmark model in a thread of its own: BackgroundLandmarks hands over the newest result once, runs the
newest frame waiting, passes errors on; a background FaceTracker follows a moving face close to the model's own
landmarks on every frame."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from lensengine.face.background_landmarks import BackgroundLandmarks
from lensengine.face.tracker import FaceTracker

FRAME_MS = 33
EYE_POINTS = [33, 133, 362, 263, 168]


def wait_for_result(background: BackgroundLandmarks, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = background.take()
        if result is not None:
            return result
        time.sleep(0.005)
    raise AssertionError("no result")


def test_a_result_is_handed_over_once():
    background = BackgroundLandmarks(lambda frame, timestamp: np.full((1, 478, 2), timestamp, np.float32))
    try:
        background.submit(7, np.zeros((4, 4, 3), np.uint8), 70)
        index, landmarks = wait_for_result(background)
        assert index == 7 and landmarks[0, 0, 0] == 70
        assert background.take() is None
        assert background.idle
    finally:
        background.close()


def test_after_a_pass_the_model_rests_so_it_keeps_a_core_busy_at_most_max_duty():
    now = [100.0]

    def pass_of_40_ms(frame, timestamp):
        now[0] += 0.040
        return np.zeros((1, 478, 2), np.float32)

    background = BackgroundLandmarks(pass_of_40_ms, max_duty=0.4, clock=lambda: now[0])
    try:
        assert background.idle
        background.submit(1, np.zeros((4, 4, 3), np.uint8), 0)
        wait_for_result(background)
        rests = 0.040 * (1 / 0.4 - 1)  # 60 ms: 40 of every 100 ms running
        now[0] += rests - 0.001
        assert not background.idle
        now[0] += 0.002
        assert background.idle
    finally:
        background.close()
    with pytest.raises(ValueError, match="max_duty"):
        BackgroundLandmarks(pass_of_40_ms, max_duty=0.0)


def test_while_busy_the_newest_frame_waiting_is_the_one_run():
    release, seen = threading.Event(), []

    def slow(frame, timestamp):
        seen.append(timestamp)
        release.wait(5.0)
        return np.zeros((0, 478, 2), np.float32)

    background = BackgroundLandmarks(slow)
    try:
        background.submit(0, np.zeros((4, 4, 3), np.uint8), 0)
        while not seen:
            time.sleep(0.005)
        assert not background.idle
        for index in (1, 2, 3):
            background.submit(index, np.zeros((4, 4, 3), np.uint8), index)
        release.set()
        deadline = time.monotonic() + 5.0
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.05)
        assert seen == [0, 3]
    finally:
        background.close()


def test_the_frame_is_copied_so_the_caller_may_draw_into_its_own():
    started, release = threading.Event(), threading.Event()
    means = []

    def looking(frame, timestamp):
        started.set()
        release.wait(5.0)
        means.append(float(frame.mean()))
        return np.zeros((0, 478, 2), np.float32)

    background = BackgroundLandmarks(looking)
    try:
        frame = np.zeros((4, 4, 3), np.uint8)
        background.submit(0, frame, 0)
        started.wait(5.0)
        frame[...] = 255  # the render stage pastes into the frame meanwhile
        release.set()
        wait_for_result(background)
        assert means == [0.0]
    finally:
        background.close()


def test_an_error_in_the_model_is_raised_by_take():
    def broken(frame, timestamp):
        raise RuntimeError("model gone")

    background = BackgroundLandmarks(broken)
    try:
        background.submit(0, np.zeros((4, 4, 3), np.uint8), 0)
        with pytest.raises(RuntimeError, match="model gone"):
            wait_for_result(background)
    finally:
        background.close()


def test_a_background_tracker_follows_a_moving_face(face_model_path, scenes):
    frames = [scenes.frame([("grace_hopper", 120 + 3 * i, 60 + i)]) for i in range(24)]
    with FaceTracker(model_path=face_model_path, smoothing=None) as every:
        reference = [every.track(frame, i * FRAME_MS)[0].landmarks for i, frame in enumerate(frames)]
    with FaceTracker(model_path=face_model_path, smoothing=None, landmarks_every=2, background=True) as tracker:
        assert tracker.background
        tracked = []
        for i, frame in enumerate(frames):
            tracked.append(tracker.track(frame, i * FRAME_MS))
            time.sleep(0.04)  # a camera's frame interval: the model's pass ends meanwhile
        thread = tracker._background._thread
    assert not thread.is_alive()  # closing the tracker stops its model thread
    found = [i for i, faces in enumerate(tracked) if faces]
    assert found and found[0] <= 3  # the first result arrives a frame or two late
    assert all(len(tracked[i]) == 1 for i in range(found[0], len(frames)))
    assert len({tracked[i][0].id for i in found}) == 1
    errors = [
        np.linalg.norm(tracked[i][0].landmarks[EYE_POINTS] - reference[i][EYE_POINTS], axis=1).mean() for i in found
    ]
    assert max(errors) < 1.5  # measured 0.83 px at most (flow over a frame or two, fused with the model's)
