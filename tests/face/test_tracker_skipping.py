"""FaceTracker with ``landmarks_every``: the landmark model runs on one frame in N and optical flow carries the
landmarks between, close to what the model finds on every frame, with the same ids and no more jitter."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.face.tracker import FaceTracker

FRAME_MS = 33
EYE_POINTS = [33, 133, 362, 263, 168]


def counting_model_passes(tracker: FaceTracker, monkeypatch) -> list[int]:
    """Count the tracker's landmark-model passes (one entry per pass)."""
    passes: list[int] = []
    run = tracker._landmarks

    def counted(*args):
        passes.append(1)
        return run(*args)

    monkeypatch.setattr(tracker, "_landmarks", counted)
    return passes


def walking(scenes, count: int, step: int = 3) -> list[np.ndarray]:
    """Frames of Grace Hopper's face moving right and down by ``step`` px a frame."""
    return [scenes.frame([("grace_hopper", 120 + step * i, 60 + step // 2 * i)]) for i in range(count)]


@pytest.fixture
def skipping(face_model_path):
    with FaceTracker(model_path=face_model_path, smoothing=None, landmarks_every=3) as tracker:
        yield tracker


def test_the_model_runs_on_one_frame_in_n_while_faces_are_followed(skipping, scenes, monkeypatch):
    passes = counting_model_passes(skipping, monkeypatch)
    tracked = [skipping.track(frame, i * FRAME_MS) for i, frame in enumerate(walking(scenes, 9))]
    assert len(passes) == 3  # frames 0, 3 and 6
    assert all(len(faces) == 1 for faces in tracked)
    assert len({faces[0].id for faces in tracked}) == 1


def test_carried_landmarks_stay_close_to_the_models_on_every_frame(skipping, face_model_path, scenes):
    frames = walking(scenes, 12)
    with FaceTracker(model_path=face_model_path, smoothing=None) as every:
        reference = [every.track(frame, i * FRAME_MS)[0].landmarks for i, frame in enumerate(frames)]
    carried = [skipping.track(frame, i * FRAME_MS)[0].landmarks for i, frame in enumerate(frames)]
    errors = [np.linalg.norm(c[EYE_POINTS] - r[EYE_POINTS], axis=1).mean() for c, r in zip(carried, reference)]
    assert max(errors) < 1.0  # measured 0.3 px at most; MediaPipe's own frame-to-frame wobble is about 1 px


def test_without_faces_the_model_runs_on_every_frame_and_a_new_face_is_found(skipping, scenes, monkeypatch):
    passes = counting_model_passes(skipping, monkeypatch)
    empty = scenes.frame([])
    assert [len(skipping.track(empty, i * FRAME_MS)) for i in range(3)] == [0, 0, 0]
    assert len(passes) == 3
    assert len(skipping.track(scenes.frame([("grace_hopper", 120, 60)]), 3 * FRAME_MS)) == 1


def test_reset_runs_the_model_on_the_next_frame(skipping, scenes, monkeypatch):
    frames = walking(scenes, 2)
    skipping.track(frames[0], 0)
    passes = counting_model_passes(skipping, monkeypatch)
    skipping.reset()
    skipping.track(frames[1], FRAME_MS)
    assert len(passes) == 1


def test_jitter_on_a_still_face_is_no_worse_than_with_the_model_on_every_frame(face_model_path, scenes):
    rng = np.random.default_rng(3)
    frames = [scenes.frame([("grace_hopper", 160, 80)], noise=6.0, rng=rng) for _ in range(30)]
    jitter = {}
    for every in (1, 2):
        with FaceTracker(model_path=face_model_path, landmarks_every=every) as tracker:
            path = np.array([tracker.track(f, i * FRAME_MS)[0].landmarks for i, f in enumerate(frames)])
        jitter[every] = path[10:].std(axis=0).mean()
    assert jitter[2] <= 1.05 * jitter[1]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_a_bad_landmarks_every_is_refused_in_one_line(face_model_path, bad):
    with pytest.raises(LensEngineError, match="landmarks_every must be a whole number of frames >= 1"):
        FaceTracker(model_path=face_model_path, landmarks_every=bad)
