"""The sample clip: sizes, determinism, who is on screen when, and the sample source."""

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.sources import EndOfStream, SampleClip, open_source


@pytest.fixture(scope="module")
def changing_truth():
    clip = SampleClip((320, 240))
    return [clip.frame(i)[1] for i in range(clip.frame_count)]


class TestSampleClip:
    @pytest.mark.parametrize("size", [(640, 480), (641, 479), (1280, 720), (480, 640)])
    def test_any_size(self, size):
        frame, truth = SampleClip(size).frame(100)
        assert frame.shape == (size[1], size[0], 3) and frame.dtype == np.uint8
        assert 1 <= len(truth) <= 3

    def test_deterministic(self):
        a, b = SampleClip((641, 479)), SampleClip((641, 479))
        for i in (0, 57, 123, 299):
            frame_a, truth_a = a.frame(i)
            frame_b, truth_b = b.frame(i)
            np.testing.assert_array_equal(frame_a, frame_b)
            assert [t.face_id for t in truth_a] == [t.face_id for t in truth_b]
            np.testing.assert_array_equal(frame_a, a.frame(i)[0])

    def test_frames_change_and_the_clip_repeats_seamlessly(self):
        clip = SampleClip((320, 240), faces=2)
        assert clip.frame_count == 300
        f0, f1 = clip.frame(0)[0], clip.frame(1)[0]
        assert np.abs(f0.astype(int) - f1.astype(int)).mean() > 0.5
        np.testing.assert_array_equal(clip.frame(300)[0], f0)
        # the last frame leads into the first about as smoothly as any two neighbours
        step = np.abs(clip.frame(299)[0].astype(int) - f0.astype(int)).mean()
        assert step < 3 * np.abs(f1.astype(int) - f0.astype(int)).mean() + 1

    def test_changing_cast_has_1_to_3_faces_entering_and_leaving(self, changing_truth):
        visible = [len(truth) for truth in changing_truth]
        full = [sum(face.fully_visible for face in truth) for truth in changing_truth]
        assert min(visible) >= 1 and max(visible) == 3
        assert {1, 2, 3} <= set(full)
        partly = [f for truth in changing_truth for f in truth if not f.fully_visible]
        assert partly and min(f.visible_fraction for f in partly) < 0.3
        assert any(0.4 <= f.visible_fraction <= 0.6 for f in partly)  # half outside at times
        # entries and exits are brisk: frames with a face partly outside are rare
        assert sum(v != f for v, f in zip(visible, full)) <= 30

    def test_faces_roll_up_to_30_degrees_and_change_size(self, changing_truth):
        rolls = np.array([face.roll for truth in changing_truth for face in truth])
        assert rolls.max() > 27 and rolls.min() < -27 and np.abs(rolls).max() <= 30
        distances = [np.linalg.norm(f.eyes[1] - f.eyes[0]) for t in changing_truth for f in t if f.face_id == 0]
        assert max(distances) > 1.4 * min(distances)

    def test_truth_geometry(self, changing_truth):
        for truth in changing_truth:
            for face in truth:
                x0, y0, x1, y1 = face.box
                left, right = face.eyes
                assert left[0] < right[0]  # the image-left eye first
                assert x0 < left[0] < x1 and y0 < left[1] < y1 and x0 < right[0] < x1 and y0 < right[1] < y1
                if face.fully_visible:
                    assert x0 >= 0 and y0 >= 0 and x1 <= 320 and y1 <= 240

    @pytest.mark.parametrize("faces", [1, 2, 3])
    def test_fixed_cast_keeps_n_faces_in_the_frame(self, faces):
        clip = SampleClip((640, 480), faces=faces)
        for i in range(0, 300, 3):
            truth = clip.frame(i)[1]
            assert sorted(face.face_id for face in truth) == list(range(faces))
            assert all(face.fully_visible for face in truth)

    @pytest.mark.parametrize(
        "kwargs, message",
        [
            ({"faces": 4}, "1 to 3 faces"),
            ({"size": (32, 480)}, "out of range"),
            ({"size": "big"}, r"not \(width, height\)"),
            ({"fps": 0}, "fps"),
        ],
    )
    def test_bad_arguments(self, kwargs, message):
        with pytest.raises(LensEngineError, match=message):
            SampleClip(**kwargs)


class TestSampleSource:
    def test_ends_after_10_seconds(self):
        with open_source("sample:1", size=(160, 120)) as source:
            assert (source.size, source.fps, source.live, source.frame_count) == ((160, 120), 30.0, False, 300)
            for _ in range(300):
                assert source.read().shape == (120, 160, 3)
                assert len(source.truth) == 1
            with pytest.raises(EndOfStream, match="300 frames"):
                source.read()

    def test_loop_goes_on_with_the_same_frames(self):
        clip = SampleClip((160, 120), fps=10)
        with open_source("sample", size=(160, 120), fps=10, loop=True) as source:
            frames = [source.read() for _ in range(clip.frame_count + 2)]
        np.testing.assert_array_equal(frames[clip.frame_count + 1], clip.frame(1)[0])
        np.testing.assert_array_equal(frames[clip.frame_count], frames[0])
