"""Source specs: what each form opens, and one-line errors for everything else."""

import pytest

from lensengine.errors import LensEngineError
from lensengine.sources import (
    ACCEPTED_FORMS,
    SampleSource,
    SourceSpec,
    StillImageSource,
    open_source,
    parse_source_spec,
)


class TestParseSourceSpec:
    @pytest.mark.parametrize(
        "spec, expected",
        [
            ("0", SourceSpec("camera", 0)),
            (" 2 ", SourceSpec("camera", 2)),
            ("/dev/video2", SourceSpec("camera", "/dev/video2")),
            ("sample", SourceSpec("sample")),
            ("sample:1", SourceSpec("sample", faces=1)),
            ("sample:3", SourceSpec("sample", faces=3)),
        ],
    )
    def test_forms(self, spec, expected):
        assert parse_source_spec(spec) == expected

    def test_files_are_images_or_videos_by_suffix(self, tmp_path):
        (tmp_path / "a.PNG").write_bytes(b"x")
        (tmp_path / "b.mp4").write_bytes(b"x")
        (tmp_path / "c").write_bytes(b"x")
        assert parse_source_spec(str(tmp_path / "a.PNG")) == SourceSpec("image", str(tmp_path / "a.PNG"))
        assert parse_source_spec(str(tmp_path / "b.mp4")).kind == "video"
        assert parse_source_spec(str(tmp_path / "c")).kind == "video"

    def test_sample_wins_over_a_file_of_that_name(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        (tmp_path / "sample").write_bytes(b"x")
        assert parse_source_spec("sample").kind == "sample"

    @pytest.mark.parametrize("spec", ["sample:0", "sample:4", "sample:", "sample:two"])
    def test_bad_sample_counts(self, spec):
        with pytest.raises(LensEngineError, match="sample:1, sample:2 or sample:3"):
            parse_source_spec(spec)

    @pytest.mark.parametrize("spec", ["", "   ", None, 0])
    def test_empty_or_not_text(self, spec):
        with pytest.raises(LensEngineError, match="no source given"):
            parse_source_spec(spec)

    def test_missing_file_lists_the_accepted_forms(self, tmp_path):
        with pytest.raises(LensEngineError) as error:
            parse_source_spec(str(tmp_path / "nope.mp4"))
        assert ACCEPTED_FORMS in str(error.value) and "\n" not in str(error.value)

    def test_folder(self, tmp_path):
        with pytest.raises(LensEngineError, match="is a folder"):
            parse_source_spec(str(tmp_path))


class TestOpenSource:
    def test_sample_forms_open_the_sample_clip(self):
        with open_source("sample:2", size=(320, 240), fps=15) as source:
            assert isinstance(source, SampleSource)
            assert (source.name, source.size, source.fps, source.live) == ("sample:2", (320, 240), 15.0, False)
            assert source.read().shape == (240, 320, 3)

    def test_image_form_opens_a_still_image(self, tmp_path, astronaut_bgr):
        import cv2

        path = tmp_path / "face.jpg"
        cv2.imwrite(str(path), astronaut_bgr)
        with open_source(str(path)) as source:
            assert isinstance(source, StillImageSource)
            assert source.size == (512, 512)

    @pytest.mark.parametrize("size", [(0, 480), (640,), "640x480", (640.5, 480), (True, 480)])
    def test_bad_size(self, size):
        with pytest.raises(LensEngineError, match="frame size"):
            open_source("sample", size=size)

    @pytest.mark.parametrize("fps", [0, -1, float("nan"), "30", 5000])
    def test_bad_fps(self, fps):
        with pytest.raises(LensEngineError, match="frame rate"):
            open_source("sample", fps=fps)

    @pytest.mark.parametrize("spec, tried", [("99", "index 99"), ("/dev/video99", "device /dev/video99")])
    def test_a_camera_that_does_not_exist(self, spec, tried):
        with pytest.raises(LensEngineError) as error:
            open_source(spec)
        message = str(error.value)
        assert tried in message and "lensengine doctor" in message and "\n" not in message

    def test_unreadable_video(self, tmp_path):
        path = tmp_path / "notes.mp4"
        path.write_text("not a video")
        with pytest.raises(LensEngineError, match="notes.mp4") as error:
            open_source(str(path))
        assert "\n" not in str(error.value)

    def test_unreadable_image(self, tmp_path):
        path = tmp_path / "broken.png"
        path.write_bytes(b"\x89PNG but not really")
        with pytest.raises(LensEngineError, match="not an image OpenCV can decode"):
            open_source(str(path))
