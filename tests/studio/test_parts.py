"""The studio's small parts on their own: input checks, doctor's output read back, preview sizes."""

from __future__ import annotations

import pytest

from lensengine.studio.doctor_report import parse_doctor
from lensengine.studio.preview import preview_size
from lensengine.studio.settings import SettingError, check_input, check_output_size, check_settings


class TestSettings:
    @pytest.mark.parametrize("value", ["0", "3", "/dev/video2", "sample", "sample:3", " 1 "])
    def test_inputs_taken(self, value):
        assert check_input(value) == value.strip()

    @pytest.mark.parametrize("value", ["", "clip.mp4", "/etc/passwd", "sample:0", "rtsp://x", 3, None, "0; rm -rf"])
    def test_inputs_refused(self, value):
        with pytest.raises(SettingError, match="camera number"):
            check_input(value)

    @pytest.mark.parametrize("text, size", [("1280x720", (1280, 720)), (" 640 X 480 ", (640, 480))])
    def test_sizes(self, text, size):
        assert check_output_size(text) == size

    @pytest.mark.parametrize("text", ["8x8", "99999x2", "641x480", "1280", 1280, "axb"])
    def test_bad_sizes(self, text):
        with pytest.raises(SettingError):
            check_output_size(text)

    def test_only_given_settings(self):
        assert check_settings({"max_faces": "3"}, []) == {"max_faces": 3}
        assert check_settings({"superres": "sr_pack"}, ["sr_pack"]) == {"superres": "sr_pack"}
        with pytest.raises(SettingError, match="unknown setting"):
            check_settings({"max_faces": 2, "x": 1}, [])
        with pytest.raises(SettingError, match="JSON object"):
            check_settings([1], [])


DOCTOR = """
Cameras
  !! no camera found; plug one in, or run with --input sample / a video file

Virtual camera
  ok virtual camera ok: /dev/video10 (v4l2loopback backend, I420 frames)

Plugins and lenses
  -- plugin x: blocked (not in LENSENGINE_PLUGINS)

1 problem(s) found
"""


def test_parse_doctor():
    report = parse_doctor(DOCTOR)
    assert [s["title"] for s in report["sections"]] == ["Cameras", "Virtual camera", "Plugins and lenses"]
    problem = report["sections"][0]["findings"][0]
    assert problem == {
        "status": "problem",
        "text": "no camera found",
        "fix": "plug one in, or run with --input sample / a video file",
    }
    assert report["sections"][1]["findings"][0]["status"] == "ok"
    assert report["sections"][2]["findings"][0]["status"] == "skipped"
    assert report["summary"] == "1 problem(s) found"


@pytest.mark.parametrize(
    "size, longest, expected",
    [((1280, 720), 640, (640, 360)), ((320, 240), 640, (320, 240)), ((480, 640), 320, (240, 320))],
)
def test_preview_size(size, longest, expected):
    assert preview_size(*size, longest) == expected


class TestPreviewEncoder:
    """The preview encodes the newest frame only, at most max_fps, and nothing while nobody watches."""

    def _run(self, encoder, tap, seconds: float, fps: float = 100.0) -> int:
        import time

        import numpy as np

        encoder.start()
        frames = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            tap.write(np.full((240, 320, 3), frames % 250, np.uint8))
            frames += 1
            time.sleep(1.0 / fps)
        encoder.stop()
        encoder.join(2)
        return frames

    def test_rate_capped_and_output_untouched(self):
        from lensengine.sinks.null import NullSink
        from lensengine.studio.preview import PreviewEncoder, TapSink

        inner = NullSink(320, 240, 30)
        tap = TapSink(inner)
        encoder = PreviewEncoder(tap, max_fps=5)
        frames = self._run(encoder, tap, 1.0)
        assert inner.frames_written == frames  # every frame reaches the output
        assert 1 <= encoder.encoded <= 7  # the preview takes only a few of them
        assert encoder.jpeg[:2] == b"\xff\xd8"

    def test_idle_when_nobody_watches(self):
        from lensengine.sinks.null import NullSink
        from lensengine.studio.preview import PreviewEncoder, TapSink

        tap = TapSink(NullSink(320, 240, 30))
        encoder = PreviewEncoder(tap, max_fps=30, idle_after_s=0.0)
        self._run(encoder, tap, 0.5)
        assert encoder.encoded == 0

    def test_backs_off_while_the_engine_drops_frames(self):
        from lensengine.sinks.null import NullSink
        from lensengine.studio.preview import PreviewEncoder, TapSink

        dropped = iter(range(0, 10_000, 5))  # the engine drops frames all the time
        tap = TapSink(NullSink(320, 240, 30))
        encoder = PreviewEncoder(tap, dropped=lambda: next(dropped), max_fps=10)
        self._run(encoder, tap, 1.0)
        assert 1 <= encoder.encoded <= 6 and encoder.skipped_busy >= 1
