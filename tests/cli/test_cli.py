"""The ``lensengine`` command as a user runs it: a subprocess, one-line errors, no tracebacks."""

import os
import subprocess
import sys

import pytest


def lensengine(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "lensengine", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
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
    assert_one_line_error(
        lensengine("run", "--lens", "nope", "--input", "sample", "--output", "null"),
        "unknown lens 'nope'",
        "thug_glasses_classic",
    )


def test_missing_input_file(tmp_path):
    missing = tmp_path / "nothing.mp4"
    assert_one_line_error(
        lensengine("run", "--lens", "landmarks", "--input", str(missing), "--output", "null"), str(missing)
    )


def test_bad_output_extension(tmp_path):
    assert_one_line_error(
        lensengine("run", "--lens", "landmarks", "--input", "sample", "--output", str(tmp_path / "out.xyz")), ".xyz"
    )


def test_corrupt_face_model(tmp_path):
    bad = tmp_path / "face_landmarker.task"
    bad.write_bytes(b"not a model" * 100)
    assert_one_line_error(
        lensengine(
            "run",
            "--lens",
            "landmarks",
            "--input",
            "sample",
            "--output",
            "null",
            "--face-model",
            str(bad),
            "--frames",
            "2",
        ),
        str(bad),
    )


@pytest.mark.skipif(sys.platform != "linux", reason="the v4l2loopback message is Linux's")
def test_no_virtual_camera_gives_the_fix():
    if any(os.path.exists(f"/dev/video{i}") for i in range(100)):
        pytest.skip("this machine has video devices; the no-virtual-camera path cannot be forced here")
    assert_one_line_error(
        lensengine("run", "--lens", "landmarks", "--input", "sample", "--frames", "2"),
        "v4l2loopback",
        "--output window",
    )


def test_bad_size_is_a_usage_error():
    result = lensengine("run", "--size", "big")
    assert result.returncode == 2 and "WIDTHxHEIGHT" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def user_lens_dir(tmp_path_factory):
    """A user lens folder holding one tiny neural face lens (random weights)."""
    import torch

    from lensengine.nets import build_network
    from lensengine.packs import LensSpec
    from lensengine_trainers.common.export_pack import export_pack

    root = tmp_path_factory.mktemp("lenses")
    torch.manual_seed(0)
    export_pack(
        build_network("unet", ngf=8, num_downs=5).eval(),
        root / "tiny_unet",
        LensSpec(
            name="tiny_unet",
            family="pix2pix",
            kind="face",
            description="a test lens",
            crop_size=64,
            scale=1,
            color_order="RGB",
            normalisation="tanh",
            template="five_point",
            margin=0.35,
            arch="unet",
            config={"ngf": 8, "num_downs": 5},
            provenance={"trainer": "tests", "steps": 0},
        ),
    )
    return root


def test_lenses_shows_neural_lenses_with_backend_and_provenance(user_lens_dir):
    result = lensengine("lenses", env={"LENSENGINE_LENS_DIR": str(user_lens_dir)})
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("tiny_unet"))
    assert "user lens folder" in row and "onnxruntime on cpu" in row and "trainer tests" in row


def test_neural_lens_runs_from_a_pack_path(user_lens_dir, tmp_path):
    out = tmp_path / "out.avi"
    result = lensengine(
        "run", "--lens", str(user_lens_dir / "tiny_unet"), "--input", "sample:1", "--output", str(out), "--frames", "3"
    )
    assert result.returncode == 0, result.stderr
    assert "3 frames written" in result.stdout and out.stat().st_size > 0


def test_build_without_tensorrt_says_what_to_install(user_lens_dir):
    assert_one_line_error(
        lensengine("build", "--lens", "tiny_unet", env={"LENSENGINE_LENS_DIR": str(user_lens_dir)}),
        "pip install tensorrt",
    )


def test_doctor_reports_every_section():
    result = lensengine("doctor")
    assert result.returncode == 0, result.stderr
    for section in ("Cameras", "Virtual camera", "Face model", "Plugins and lenses", "Inference backends"):
        assert section in result.stdout
    assert "onnxruntime" in result.stdout and "tensorrt" in result.stdout


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_signal_shuts_down_cleanly(tmp_path, sig):
    import signal
    import time

    out = tmp_path / "out.avi"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lensengine",
            "run",
            "--lens",
            "thug_glasses_classic",
            "--input",
            "sample",
            "--loop",
            "--realtime",
            "--output",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 60  # start-up (MediaPipe, ONNX Runtime) takes seconds on a busy machine
    while time.monotonic() < deadline and sum(f.stat().st_size for f in tmp_path.glob(".out.partial.avi")) < 100_000:
        time.sleep(0.2)  # frames are being written once the partial file grows past its header
    proc.send_signal(getattr(signal, sig))
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 128 + getattr(signal, sig), stderr  # 130 / 143: an interrupted run is not a success
    assert "Traceback" not in stderr and "frames written" in stdout
    import cv2

    cap = cv2.VideoCapture(str(out))  # the file was finalised and moved into place: it opens and has frames
    assert cap.isOpened() and cap.get(cv2.CAP_PROP_FRAME_COUNT) > 0


def test_trace_shows_the_hooks_a_real_run_calls():
    result = lensengine(
        "run",
        "--lens",
        "thug_glasses_classic",
        "--input",
        "sample",
        "--frames",
        "2",
        "--output",
        "null",
        env={"LENSENGINE_TRACE": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "lensengine_lenses -> plugin thug_glasses [hook]" in result.stderr
    assert "finish lensengine_lenses --> [[LensSpec(name='thug_glasses_classic'" in result.stderr
    assert "lensengine_lens_packs -> plugin thug_glasses [hook]" in result.stderr
    assert "2 frames written to null" in result.stdout + result.stderr


def test_native_start_up_noise_is_silenced_unless_verbose():
    quiet = lensengine(
        "run", "--lens", "thug_glasses_classic", "--input", "sample", "--frames", "2", "--output", "null"
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "InitGoogle" not in quiet.stderr and "face_landmarker_graph" not in quiet.stderr
    assert "lensengine: sample -> thug_glasses_classic -> null" in quiet.stdout + quiet.stderr
    verbose = lensengine(
        "-v", "run", "--lens", "thug_glasses_classic", "--input", "sample", "--frames", "2", "--output", "null"
    )
    assert verbose.returncode == 0 and "face_landmarker_graph" in verbose.stderr
