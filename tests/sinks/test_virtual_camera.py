"""The virtual camera sink through pyvirtualcam's real Camera class and a recording backend."""

from __future__ import annotations

import platform
from pathlib import Path

import cv2
import numpy as np
import pytest

from lensengine.errors import LensEngineError
from lensengine.sinks import VirtualCameraSink, open_sink, virtual_camera_status


def photo(astronaut_bgr: np.ndarray, width: int, height: int) -> np.ndarray:
    return cv2.resize(astronaut_bgr, (width, height), interpolation=cv2.INTER_AREA)


def decode(frame: np.ndarray, pixel_format: str, width: int, height: int) -> np.ndarray:
    """What a camera consumer would see: the received 1-D buffer back as BGR."""
    if pixel_format in ("I420", "NV12"):
        code = cv2.COLOR_YUV2BGR_I420 if pixel_format == "I420" else cv2.COLOR_YUV2BGR_NV12
        return cv2.cvtColor(frame.reshape(height * 3 // 2, width), code)
    if pixel_format == "UYVY":
        return cv2.cvtColor(frame.reshape(height, width, 2), cv2.COLOR_YUV2BGR_UYVY)
    if pixel_format == "ABGR":  # pyvirtualcam's fourcc for RGBA bytes
        return cv2.cvtColor(frame.reshape(height, width, 4), cv2.COLOR_RGBA2BGR)
    assert pixel_format == "24BG"  # BGR
    return frame.reshape(height, width, 3)


NATIVE_FORMATS = [
    # system, backend, fourcc the backend must receive, pyvirtualcam PixelFormat name
    ("Linux", "v4l2loopback", "I420", "I420"),
    ("Windows", "obs", "NV12", "NV12"),
    ("Darwin", "obs", "UYVY", "UYVY"),
    ("Windows", "unitycapture", "ABGR", "RGBA"),
    ("Linux", "someone-elses-backend", "24BG", "BGR"),
]


@pytest.mark.parametrize("system, backend, fourcc, format_name", NATIVE_FORMATS)
def test_each_backend_gets_its_native_format_with_the_right_pixels(
    recording_camera, astronaut_bgr, system, backend, fourcc, format_name
):
    recorder = recording_camera(system, backend)
    frame = photo(astronaut_bgr, 640, 480)
    with open_sink(f"virtualcam:{backend}", 640, 480, 30) as sink:
        sink.write(frame)
        sink.write(frame[:, ::-1].copy())
    camera = recorder.opened[0]
    assert sink.pixel_format.name == format_name and camera.pixel_format == fourcc
    assert (camera.width, camera.height, camera.fps) == (640, 480, 30.0)
    assert len(camera.frames) == 2
    seen = decode(camera.frames[0], fourcc, 640, 480)
    assert np.abs(seen.astype(int) - frame).mean() < 2.0
    mirrored = decode(camera.frames[1], fourcc, 640, 480)
    assert np.abs(mirrored.astype(int) - frame[:, ::-1]).mean() < 2.0
    assert np.abs(mirrored.astype(int) - frame).mean() > 20.0  # frames arrive as sent, in order


def test_default_spec_opens_the_platform_backend_and_reports_the_device(recording_camera):
    recorder = recording_camera("Linux", "v4l2loopback")
    sink = open_sink("virtualcam", 320, 240, 25)
    assert isinstance(sink, VirtualCameraSink) and sink.live and sink.name == "virtualcam"
    assert (sink.backend, sink.device) == ("v4l2loopback", "/dev/video-recorder")
    assert recorder.opened[0].device_arg is None
    sink.close()


def test_backend_and_device_from_the_spec_are_passed_through(recording_camera):
    recorder = recording_camera("Linux", "v4l2loopback")
    with open_sink("virtualcam:v4l2loopback:/dev/video10", 320, 240, 15) as sink:
        assert sink.device == "/dev/video10"
    assert recorder.opened[0].device_arg == "/dev/video10"
    assert recorder.opened[0].fps == 15.0


def test_close_releases_the_camera_once(recording_camera):
    recorder = recording_camera("Linux", "v4l2loopback")
    sink = open_sink("virtualcam", 64, 48, 30)
    sink.close()
    sink.close()
    assert recorder.opened[0].close_calls == 1
    with pytest.raises(LensEngineError, match="closed"):
        sink.write(np.zeros((48, 64, 3), np.uint8))


def test_odd_size_is_padded_to_even_for_yuv(recording_camera, astronaut_bgr):
    recorder = recording_camera("Linux", "v4l2loopback")
    frame = photo(astronaut_bgr, 641, 479)
    with open_sink("virtualcam", 641, 479, 30) as sink:
        assert sink.frame_size == (642, 480)
        sink.write(frame)
    camera = recorder.opened[0]
    assert (camera.width, camera.height) == (642, 480)
    seen = decode(camera.frames[0], "I420", 642, 480).astype(int)
    assert np.abs(seen[:479, :641] - frame).mean() < 2.0
    assert np.abs(seen[:479, 641] - frame[:, 640]).mean() < 4.0  # padding repeats the edge


def test_odd_size_stays_as_it_is_for_bgr(recording_camera):
    recorder = recording_camera("Linux", "someone-elses-backend")
    frame = np.full((479, 641, 3), (10, 200, 30), np.uint8)
    with open_sink("virtualcam:someone-elses-backend", 641, 479, 30) as sink:
        sink.write(frame)
    camera = recorder.opened[0]
    assert (camera.width, camera.height) == (641, 479)
    assert np.array_equal(decode(camera.frames[0], "24BG", 641, 479), frame)


def test_a_frame_of_another_size_is_resized(recording_camera, astronaut_bgr):
    recorder = recording_camera("Linux", "v4l2loopback")
    small = photo(astronaut_bgr, 320, 240)
    with open_sink("virtualcam", 640, 480, 30) as sink:
        sink.write(small)
    seen = decode(recorder.opened[0].frames[0], "I420", 640, 480).astype(int)
    assert np.abs(seen - cv2.resize(small, (640, 480))).mean() < 2.0


@pytest.mark.parametrize(
    "system, fix",
    [
        ("Linux", "sudo modprobe v4l2loopback exclusive_caps=1 card_label=lensengine"),
        ("Windows", "install OBS Studio and start its virtual camera once"),
        ("Darwin", "approve the OBS camera extension"),
    ],
)
def test_no_virtual_camera_is_a_one_line_error_with_the_fix(recording_camera, system, fix):
    recording_camera(system, "obs", fail_with="device not found!\nDid you install it?")
    with pytest.raises(LensEngineError) as error:
        open_sink("virtualcam", 640, 480, 30)
    message = str(error.value)
    assert "\n" not in message
    assert "device not found! Did you install it?" in message
    assert fix in message
    assert message.endswith("or use --output window / --output out.mp4")


def test_secure_boot_is_mentioned_on_linux(recording_camera):
    recording_camera("Linux", "v4l2loopback", fail_with="no loopback device")
    with pytest.raises(LensEngineError, match="Secure Boot"):
        open_sink("virtualcam", 640, 480, 30)


def test_unknown_backend_names_the_available_ones(recording_camera):
    recording_camera("Linux", "v4l2loopback")
    with pytest.raises(
        LensEngineError, match=r"unknown virtual camera backend 'obs' \(this system has: v4l2loopback\)"
    ):
        open_sink("virtualcam:obs", 640, 480, 30)


def test_status_opens_and_closes_a_small_camera(recording_camera):
    recorder = recording_camera("Linux", "v4l2loopback")
    ok, message = virtual_camera_status()
    assert ok and "/dev/video-recorder" in message and "v4l2loopback" in message
    assert recorder.opened[0].close_calls == 1


def test_status_reports_the_fix_when_no_camera_exists(recording_camera):
    recording_camera("Windows", "obs", fail_with="OBS Virtual Camera device not found")
    ok, message = virtual_camera_status()
    assert not ok
    assert "OBS Virtual Camera device not found" in message and "OBS Studio" in message and "--output window" in message


@pytest.mark.skipif(
    platform.system() != "Linux" or Path("/sys/devices/virtual/video4linux").exists(),
    reason="needs Linux without a v4l2loopback device",
)
def test_real_v4l2loopback_backend_without_a_device_gives_the_fix():
    ok, message = virtual_camera_status()
    assert not ok
    assert "No v4l2 loopback device found" in message and "modprobe v4l2loopback" in message
