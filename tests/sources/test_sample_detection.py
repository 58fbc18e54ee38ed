"""MediaPipe's FaceLandmarker finds the sample clip's faces where the clip says they are."""

from __future__ import annotations

import cv2
import mediapipe as mp
import numpy as np
import pytest
from mediapipe.tasks.python import BaseOptions, vision

from lensengine.sources import SampleClip
from lensengine.sources.face_photos import face_photo
from lensengine.sources.sample_sprites import PHOTO_HEADS

LEFT_IRIS, RIGHT_IRIS = 468, 473


def landmarks_in_pixels(result, width: int, height: int) -> list[np.ndarray]:
    return [np.array([[p.x * width, p.y * height] for p in face]) for face in result.face_landmarks]


def as_mp_image(frame_bgr: np.ndarray) -> mp.Image:
    return mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB))


def landmarker(model, mode):
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)), running_mode=mode, num_faces=4
    )
    return vision.FaceLandmarker.create_from_options(options)


@pytest.mark.parametrize("photo", sorted(PHOTO_HEADS))
def test_photo_measurements_match_the_landmarker(face_landmarker_model, photo):
    image = face_photo(photo)
    with landmarker(face_landmarker_model, vision.RunningMode.IMAGE) as model:
        found = landmarks_in_pixels(model.detect(as_mp_image(image)), image.shape[1], image.shape[0])
    assert len(found) == 1
    head = PHOTO_HEADS[photo]
    np.testing.assert_allclose(found[0][[LEFT_IRIS, RIGHT_IRIS]], head.eyes, atol=1.5)
    np.testing.assert_allclose([*found[0].min(axis=0), *found[0].max(axis=0)], head.face_box, atol=3.0)


def detection_report(model_path, clip: SampleClip, frame_indexes) -> tuple[float, list[float], int]:
    """Share of frames where the landmarker finds as many faces as are fully visible; for each fully visible
    face it finds, the eyes' error as a fraction of the eye distance; and how many fully visible faces there were."""
    width, height = clip.size
    matches, eye_errors, fully_visible = 0, [], 0
    with landmarker(model_path, vision.RunningMode.VIDEO) as model:
        for index in frame_indexes:
            frame, truth = clip.frame(index)
            result = model.detect_for_video(as_mp_image(frame), int(index * 1000 / clip.fps))
            found = landmarks_in_pixels(result, width, height)
            full = [face for face in truth if face.fully_visible]
            matches += len(found) == len(full)
            fully_visible += len(full)
            for face in full:
                eye_distance = np.linalg.norm(face.eyes[1] - face.eyes[0])
                errors = [np.abs(f[[LEFT_IRIS, RIGHT_IRIS]] - face.eyes).max() / eye_distance for f in found]
                if errors and min(errors) < 1.0:
                    eye_errors.append(min(errors))
    return matches / len(frame_indexes), eye_errors, fully_visible


def test_changing_cast_at_640x480(face_landmarker_model):
    rate, eye_errors, fully_visible = detection_report(face_landmarker_model, SampleClip((640, 480)), range(0, 300, 6))
    assert rate >= 0.9
    assert len(eye_errors) >= 0.9 * fully_visible
    assert np.median(eye_errors) < 0.04 and max(eye_errors) < 0.25


def test_three_faces_at_1280x720(face_landmarker_model):
    clip = SampleClip((1280, 720), faces=3)
    rate, eye_errors, fully_visible = detection_report(face_landmarker_model, clip, range(0, 300, 15))
    assert rate >= 0.9 and fully_visible == 3 * 20
    assert len(eye_errors) >= 0.9 * fully_visible
    assert np.median(eye_errors) < 0.04
