"""The video file sink: real files written by OpenCV's FFmpeg writer and read back with cv2.VideoCapture."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.sinks import VideoFileSink, open_sink

EXTENSIONS = [".mp4", ".avi", ".mkv", ".webm"]


def moving_photo(astronaut_bgr: np.ndarray, width: int, height: int, count: int) -> list[np.ndarray]:
    """``count`` frames of the photo, each shifted a little further, so frames differ from each other."""
    base = cv2.resize(astronaut_bgr, (width, height), interpolation=cv2.INTER_AREA)
    return [np.roll(base, 8 * i, axis=1) for i in range(count)]


def read_all(path) -> tuple[list[np.ndarray], float]:
    capture = cv2.VideoCapture(str(path))
    fps = capture.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames, fps


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_round_trip(tmp_path, astronaut_bgr, extension):
    frames = moving_photo(astronaut_bgr, 320, 240, 10)
    path = tmp_path / f"out{extension}"
    with open_sink(str(path), 320, 240, 25) as sink:
        assert isinstance(sink, VideoFileSink) and not sink.live and sink.name == "file"
        for frame in frames:
            sink.write(frame)
    assert sink.frames_written == 10
    read, fps = read_all(path)
    assert len(read) == 10 and fps == pytest.approx(25, abs=0.01)
    assert all(r.shape == (240, 320, 3) for r in read)
    errors = [np.abs(r.astype(int) - f).mean() for r, f in zip(read, frames)]
    if extension == ".mkv":
        assert max(errors) == 0  # FFV1 is lossless
    else:
        assert max(errors) < 10
        # each read frame matches its own source frame, not a neighbour
        assert np.abs(read[5].astype(int) - frames[4]).mean() > 2 * errors[5]


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_odd_size_is_padded_to_even_not_cropped(tmp_path, astronaut_bgr, extension):
    frame = moving_photo(astronaut_bgr, 641, 479, 1)[0]
    path = tmp_path / f"odd{extension}"
    with open_sink(str(path), 641, 479, 30) as sink:
        assert sink.frame_size == (642, 480)
        for _ in range(3):
            sink.write(frame)
    read, _ = read_all(path)
    assert len(read) == 3 and read[0].shape == (480, 642, 3)
    picture = read[0][:479, :641].astype(int)
    if extension == ".mkv":
        assert np.array_equal(picture, frame)
        assert np.array_equal(read[0][:479, 641], frame[:, 640])  # the padding repeats the edge
        assert np.array_equal(read[0][479, :641], frame[478])
    else:
        assert np.abs(picture - frame).mean() < 10


def test_frames_of_another_size_are_resized(tmp_path, astronaut_bgr):
    small = moving_photo(astronaut_bgr, 160, 120, 1)[0]
    large = moving_photo(astronaut_bgr, 640, 480, 1)[0]
    path = tmp_path / "resized.mkv"
    with open_sink(str(path), 320, 240, 30) as sink:
        sink.write(small)
        sink.write(large)
    read, _ = read_all(path)
    assert np.array_equal(read[0], cv2.resize(small, (320, 240), interpolation=cv2.INTER_LINEAR))
    assert np.array_equal(read[1], cv2.resize(large, (320, 240), interpolation=cv2.INTER_AREA))


def test_existing_file_is_overwritten_and_missing_folders_created(tmp_path):
    path = tmp_path / "new" / "folders" / "out.MP4"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a video")
    with open_sink(str(path), 64, 48, 30) as sink:
        sink.write(np.full((48, 64, 3), 200, np.uint8))
    read, _ = read_all(path)
    assert len(read) == 1 and abs(int(read[0].mean()) - 200) <= 3


def test_unknown_extension_lists_the_supported_ones(tmp_path):
    with pytest.raises(LensEngineError, match=r"\.mp4, \.avi, \.mkv, \.webm") as error:
        open_sink(str(tmp_path / "out.mov"), 64, 48, 30)
    assert "\n" not in str(error.value)
    with pytest.raises(LensEngineError, match="unknown extension"):
        VideoFileSink(tmp_path / "out.gif", 64, 48, 30)


def test_unwritable_path_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(LensEngineError, match=r"writable path ending in \.mp4, \.avi, \.mkv, \.webm") as error:
        open_sink(str(blocker / "out.mp4"), 64, 48, 30)
    assert "\n" not in str(error.value)


def test_writer_that_fails_to_open_is_a_one_line_error(tmp_path):
    folder_named_like_a_video = tmp_path / "taken.avi"
    folder_named_like_a_video.mkdir()
    with pytest.raises(LensEngineError, match=r"cannot open .*taken\.avi.* with codec MJPG"):
        open_sink(str(folder_named_like_a_video), 64, 48, 30)


def test_close_twice_and_write_after_close(tmp_path):
    sink = open_sink(str(tmp_path / "x.avi"), 64, 48, 30)
    sink.write(np.zeros((48, 64, 3), np.uint8))
    sink.close()
    sink.close()
    with pytest.raises(LensEngineError, match="closed"):
        sink.write(np.zeros((48, 64, 3), np.uint8))
    assert len(read_all(tmp_path / "x.avi")[0]) == 1
