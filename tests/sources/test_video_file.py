"""Video files written by OpenCV in the test, read back through open_source."""

import cv2
import numpy as np
import pytest

from lensengine.sources import EndOfStream, SampleClip, VideoFileSource, open_source

FRAME_COUNT = 12


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / max(mse, 1e-12)))


@pytest.fixture(scope="module")
def sample_frames():
    clip = SampleClip((320, 240), faces=2)
    return [clip.frame(i * 5)[0] for i in range(FRAME_COUNT)]


def write_video(path, frames, fourcc: str, fps: float = 25.0):
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    assert writer.isOpened(), f"OpenCV cannot write {fourcc} here"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def read_all(source, limit: int = 1000):
    frames = []
    with pytest.raises(EndOfStream):
        for _ in range(limit):
            frames.append(source.read())
    return frames


@pytest.mark.parametrize("name, fourcc", [("clip.mp4", "mp4v"), ("clip.avi", "MJPG")])
def test_round_trip(tmp_path, sample_frames, name, fourcc):
    path = write_video(tmp_path / name, sample_frames, fourcc)
    with open_source(str(path)) as source:
        assert isinstance(source, VideoFileSource)
        assert (source.size, source.fps, source.live) == ((320, 240), 25.0, False)
        frames = read_all(source)
    assert len(frames) == FRAME_COUNT
    for got, sent in zip(frames, sample_frames):
        assert got.shape == (240, 320, 3) and got.dtype == np.uint8
        assert psnr(got, sent) > 28


def test_loop_starts_again_at_the_first_frame(tmp_path, sample_frames):
    path = write_video(tmp_path / "clip.avi", sample_frames, "MJPG")
    with open_source(str(path), loop=True) as source:
        frames = [source.read() for _ in range(2 * FRAME_COUNT + 3)]
    for k in range(FRAME_COUNT + 3):
        np.testing.assert_array_equal(frames[k], frames[k + FRAME_COUNT])
    assert psnr(frames[FRAME_COUNT], sample_frames[0]) > 28


def test_size_and_fps_asked_for(tmp_path, sample_frames):
    path = write_video(tmp_path / "clip.mp4", sample_frames, "mp4v")
    with open_source(str(path), size=(641, 479), fps=12.5) as source:
        assert (source.size, source.fps) == ((641, 479), 12.5)
        frame = source.read()
    assert frame.shape == (479, 641, 3)
    assert psnr(frame, cv2.resize(sample_frames[0], (641, 479))) > 25


def test_odd_sized_frames_report_the_size_the_file_holds(tmp_path):
    # OpenCV's FFmpeg writer stores 641x479 frames as 640x478 (4:2:0 needs even sizes); the source must
    # report the size of the frames it actually gives.
    clip = SampleClip((641, 479), faces=1)
    frames = [clip.frame(i)[0] for i in range(3)]
    path = write_video(tmp_path / "odd.avi", frames, "MJPG")
    with open_source(str(path)) as source:
        got = read_all(source)
        size = source.size
    assert len(got) == 3
    assert all(frame.shape == (size[1], size[0], 3) for frame in got)
    assert abs(size[0] - 641) <= 1 and abs(size[1] - 479) <= 1


def test_close_is_idempotent_and_ends_reads(tmp_path, sample_frames):
    path = write_video(tmp_path / "clip.avi", sample_frames, "MJPG")
    source = open_source(str(path), loop=True)
    source.read()
    source.close()
    source.close()
    assert source.closed
    with pytest.raises(EndOfStream, match="closed"):
        source.read()


def test_a_video_with_no_frames(tmp_path):
    path = tmp_path / "empty.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (64, 48))
    writer.release()
    from lensengine.errors import LensEngineError

    with pytest.raises(LensEngineError, match="empty.avi"):
        open_source(str(path))
