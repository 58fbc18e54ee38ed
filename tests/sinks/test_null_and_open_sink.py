"""The null sink, the shared frame checks of every sink, and the spec parsing of open_sink."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.sinks import NullSink, VideoFileSink, VirtualCameraSink, open_sink


def test_null_sink_counts_and_resizes():
    with open_sink("null", 64, 48, 30) as sink:
        assert isinstance(sink, NullSink) and not sink.live and sink.name == "null"
        for _ in range(5):
            sink.write(np.zeros((48, 64, 3), np.uint8))
        sink.write(np.full((96, 128, 3), 7, np.uint8))
        assert sink.poll_events() == []
    assert sink.frames_written == 6
    assert sink.last_frame.shape == (48, 64, 3) and (sink.last_frame == 7).all()


def test_a_frame_of_the_right_size_is_passed_without_a_copy():
    sink = NullSink(64, 48, 30)
    frame = np.zeros((48, 64, 3), np.uint8)
    sink.write(frame)
    assert sink.last_frame is frame


@pytest.mark.parametrize(
    "bad",
    [np.zeros((48, 64), np.uint8), np.zeros((48, 64, 4), np.uint8), np.zeros((48, 64, 3), np.float32), [[0]]],
)
def test_a_frame_that_is_not_hxwx3_uint8_is_refused(bad):
    with pytest.raises(LensEngineError, match="HxWx3 uint8 BGR"):
        NullSink(64, 48, 30).write(bad)


@pytest.mark.parametrize("width, height, fps", [(0, 48, 30), (64, -1, 30), (64, 48, 0), (64, 48, float("nan"))])
def test_bad_size_or_fps_is_refused(width, height, fps):
    with pytest.raises(LensEngineError, match="must be positive"):
        open_sink("null", width, height, fps)


def test_spec_picks_the_sink(tmp_path, recording_camera):
    recording_camera("Linux", "v4l2loopback")
    with open_sink("", 64, 48, 30) as default:
        assert isinstance(default, VirtualCameraSink)
    with open_sink("virtualcam:v4l2loopback", 64, 48, 30) as chosen:
        assert chosen.backend == "v4l2loopback"
    with open_sink(str(tmp_path / "clip.webm"), 64, 48, 30) as video:
        assert isinstance(video, VideoFileSink) and video.fourcc == "VP80"


def test_unknown_spec_says_what_is_accepted():
    with pytest.raises(LensEngineError, match="use virtualcam.*window, null or a video file ending in .mp4"):
        open_sink("screen", 64, 48, 30)
