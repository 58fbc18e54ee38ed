"""Camera source: capture settings, start-up errors, and reconnection with back-off, driven by a fake capture
(these machines have no camera)."""

import itertools
import logging
import threading
import time

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.sources import CameraSource, EndOfStream, list_cameras
from lensengine.sources.camera import backoff_delays


class FakeCamera:
    """A pretend device. ``unplugged_reads`` reads fail; while ``unplugged_opens`` > 0 reopening fails too;
    an ``absent`` camera never opens. Every capture made for it is kept in ``captures``; open attempt times
    in ``open_times``."""

    def __init__(self, size=(64, 48), fps=30.0, unplugged_reads=0, unplugged_opens=0, reports_size=True, absent=False):
        self.size, self.fps, self.reports_size, self.absent = size, fps, reports_size, absent
        self.unplugged_reads, self.unplugged_opens = unplugged_reads, unplugged_opens
        self.captures: list[FakeCapture] = []
        self.open_times: list[float] = []
        self.frames_given = 0
        self.read_gate: threading.Event | None = None  # when set up, each read waits for it (a blocked driver)

    def open(self, target):
        self.open_times.append(time.monotonic())
        opened = not self.absent and (len(self.open_times) == 1 or self.unplugged_opens <= 0)
        if not opened:
            self.unplugged_opens -= 1
        capture = FakeCapture(self, opened)
        self.captures.append(capture)
        return capture


class FakeCapture:
    """The parts of cv2.VideoCapture a camera source uses."""

    def __init__(self, camera: FakeCamera, opened: bool):
        self.camera, self.opened, self.released = camera, opened, False
        self.settings: dict[int, float] = {}

    def isOpened(self):
        return self.opened and not self.released

    def set(self, prop, value):
        self.settings[prop] = value
        return True

    def get(self, prop):
        if prop == cv2.CAP_PROP_FPS:
            return self.camera.fps
        if not self.camera.reports_size:
            return 0.0
        return {cv2.CAP_PROP_FRAME_WIDTH: self.camera.size[0], cv2.CAP_PROP_FRAME_HEIGHT: self.camera.size[1]}.get(
            prop, 0.0
        )

    def read(self):
        if self.camera.read_gate is not None:
            self.camera.read_gate.wait(5)
        if self.released or not self.opened or self.camera.unplugged_reads > 0:
            self.camera.unplugged_reads = max(0, self.camera.unplugged_reads - 1)
            return False, None
        self.camera.frames_given += 1
        width, height = self.camera.size
        return True, np.full((height, width, 3), self.camera.frames_given % 256, np.uint8)

    def release(self):
        self.released = True


def fast_camera(camera: FakeCamera, **kwargs) -> CameraSource:
    return CameraSource(0, open_capture=camera.open, first_backoff_s=0.02, longest_backoff_s=0.08, **kwargs)


def test_backoff_doubles_from_half_a_second_to_five():
    assert list(itertools.islice(backoff_delays(), 7)) == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


def test_asks_for_mjpg_a_one_frame_buffer_size_and_rate():
    camera = FakeCamera(size=(1280, 720), fps=60.0)
    with CameraSource(0, size=(1280, 720), fps=60, open_capture=camera.open) as source:
        settings = camera.captures[0].settings
        assert settings[cv2.CAP_PROP_FOURCC] == cv2.VideoWriter_fourcc(*"MJPG")
        assert settings[cv2.CAP_PROP_BUFFERSIZE] == 1
        assert (settings[cv2.CAP_PROP_FRAME_WIDTH], settings[cv2.CAP_PROP_FRAME_HEIGHT]) == (1280, 720)
        assert settings[cv2.CAP_PROP_FPS] == 60
        assert (source.name, source.size, source.fps, source.live) == ("camera 0", (1280, 720), 60.0, True)
        assert source.read().shape == (720, 1280, 3)
    assert camera.captures[0].released


def test_reports_the_size_the_camera_gives(caplog):
    camera = FakeCamera(size=(640, 480))
    with caplog.at_level(logging.WARNING, logger="lensengine.sources"):
        source = CameraSource(0, size=(1920, 1080), open_capture=camera.open)
    assert source.size == (640, 480)
    assert "not the 1920x1080 asked for" in caplog.text
    source.close()


def test_learns_the_size_from_the_first_frame_when_the_driver_does_not_say():
    camera = FakeCamera(size=(96, 64), reports_size=False)
    with CameraSource(0, open_capture=camera.open) as source:
        assert source.size == (96, 64)
        first, second = source.read(), source.read()
    assert first[0, 0, 0] == 1 and second[0, 0, 0] == 2  # the frame read at start-up is not lost


def test_a_camera_that_does_not_open_is_a_one_line_error():
    camera = FakeCamera(absent=True)
    with pytest.raises(LensEngineError) as error:
        CameraSource(3, open_capture=camera.open)
    message = str(error.value)
    assert "camera 3 did not open (tried index 3" in message and "lensengine doctor" in message
    assert "\n" not in message and camera.captures[0].released


def test_recovers_after_failed_reads_and_reopens_logging_once(caplog):
    camera = FakeCamera(unplugged_reads=3, unplugged_opens=2)
    source = fast_camera(camera)
    with caplog.at_level(logging.INFO, logger="lensengine.sources"):
        frame = source.read()
    assert frame.shape == (48, 64, 3)
    # start-up, two reopen attempts that fail, then reopens until the reads work again
    assert len(camera.open_times) >= 4
    gaps = np.diff(camera.open_times[1:])
    assert gaps[0] >= 0.035 and gaps[1] >= 0.07  # 0.02 s doubling: waits of 0.04 and 0.08 s before those
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "camera 0 stopped giving frames" in warnings[0].getMessage()
    assert "camera 0 is back" in caplog.text
    assert all(capture.released for capture in camera.captures[:-1])
    source.close()
    assert camera.captures[-1].released


def test_frames_keep_the_first_size_after_a_reconnect_at_another():
    camera = FakeCamera(size=(64, 48), unplugged_reads=1)
    source = fast_camera(camera)
    camera.size = (128, 96)
    assert source.read().shape == (48, 64, 3)
    source.close()


def read_in_thread(source):
    outcome = {}

    def run():
        try:
            outcome["frame"] = source.read()
        except EndOfStream as error:
            outcome["ended"] = error
        outcome["at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_close_during_backoff_returns_promptly():
    camera = FakeCamera(unplugged_reads=10**6, unplugged_opens=10**6)
    source = CameraSource(0, open_capture=camera.open)  # the real 0.5 s .. 5 s back-off
    thread, outcome = read_in_thread(source)
    time.sleep(0.8)  # inside the second wait (1 s)
    closed_at = time.monotonic()
    source.close()
    thread.join(2)
    assert not thread.is_alive() and "ended" in outcome
    assert outcome["at"] - closed_at < 0.2
    assert all(capture.released for capture in camera.captures)


def test_close_while_the_driver_blocks_a_read():
    camera = FakeCamera()
    source = fast_camera(camera)
    camera.read_gate = threading.Event()
    thread, outcome = read_in_thread(source)
    time.sleep(0.05)
    started = time.monotonic()
    source.close()
    assert time.monotonic() - started < 0.1  # close() does not wait for the driver
    assert not camera.captures[0].released  # never released under a read in progress
    camera.read_gate.set()
    thread.join(2)
    assert "ended" in outcome and camera.captures[0].released


def test_list_cameras_with_a_fake_device_at_index_2():
    camera = FakeCamera(size=(320, 240))

    def open_only_2(index):
        return FakeCapture(camera, opened=index == 2)

    cameras = list_cameras(max_index=4, open_capture=open_only_2)
    assert [c["index"] for c in cameras] == [0, 1, 2, 3]
    assert [c["opened"] for c in cameras] == [False, False, True, False]
    assert [c["ok"] for c in cameras] == [False, False, True, False]
    assert cameras[2]["size"] == (320, 240) and cameras[0]["size"] is None


def test_list_cameras_on_this_machine():
    cameras = list_cameras(max_index=2)
    assert [c["index"] for c in cameras] == [0, 1]
    for camera in cameras:
        assert set(camera) == {"index", "path", "opened", "size", "ok"}
        assert camera["ok"] == (camera["size"] is not None) and (camera["opened"] or not camera["ok"])
