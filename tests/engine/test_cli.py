"""The ``lensengine`` command as a user runs it: a subprocess, one-line errors, no tracebacks."""

import os
import subprocess
import sys

import pytest


def lensengine(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "lensengine", *args],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
    )


def assert_one_line_error(result, *needles):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("lensengine: error:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


def test_help_lists_commands():
    result = lensengine("--help")
    assert result.returncode == 0
    for command in ("run", "lenses", "doctor", "build", "train"):
        assert command in result.stdout


def test_lenses_lists_built_in_lenses():
    result = lensengine("lenses")
    assert result.returncode == 0, result.stderr
    assert "thug_glasses_classic" in result.stdout and "landmarks" in result.stdout


def test_unknown_lens_lists_known_ones():
    assert_one_line_error(lensengine("run", "--lens", "nope", "--input", "sample", "--output", "null"),
                          "unknown lens 'nope'", "thug_glasses_classic")


def test_missing_input_file(tmp_path):
    missing = tmp_path / "nothing.mp4"
    assert_one_line_error(lensengine("run", "--lens", "landmarks", "--input", str(missing), "--output", "null"),
                          str(missing))


def test_bad_output_extension(tmp_path):
    assert_one_line_error(lensengine("run", "--lens", "landmarks", "--input", "sample", "--output",
                                     str(tmp_path / "out.xyz")), ".xyz")


def test_corrupt_face_model(tmp_path):
    bad = tmp_path / "face_landmarker.task"
    bad.write_bytes(b"not a model" * 100)
    assert_one_line_error(lensengine("run", "--lens", "landmarks", "--input", "sample", "--output", "null",
                                     "--face-model", str(bad), "--frames", "2"), str(bad))


@pytest.mark.skipif(sys.platform != "linux", reason="the v4l2loopback message is Linux's")
def test_no_virtual_camera_gives_the_fix():
    if any(os.path.exists(f"/dev/video{i}") for i in range(100)):
        pytest.skip("this machine has video devices; the no-virtual-camera path cannot be forced here")
    assert_one_line_error(lensengine("run", "--lens", "landmarks", "--input", "sample", "--frames", "2"),
                          "v4l2loopback", "--output window")


def test_bad_size_is_a_usage_error():
    result = lensengine("run", "--size", "big")
    assert result.returncode == 2 and "WIDTHxHEIGHT" in result.stderr and "Traceback" not in result.stderr
