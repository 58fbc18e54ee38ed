"""Nothing a lens does stops the engine: hung create() and apply(), SystemExit and KeyboardInterrupt from a lens,
bad command-line values. The hung cases run a real ``lensengine run`` process, since they are about its exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from lensengine.cli import main
from lensengine.errors import LensEngineError
from lensengine.pipeline.assemble import EngineSettings, open_engine
from lensengine.sources import SampleClip

HOSTILE = """
import os, sys, time
from pathlib import Path
from lensengine.hookspecs import hookimpl
from lensengine.lens import LensSpec

MARK = Path(os.environ.get("HOSTILE_MARK", "/nonexistent/mark"))

def hang_create():
    MARK.write_text("create")
    time.sleep(1000)

def slow_create():
    time.sleep(5)

class HangsInApply:
    def apply(self, crops, landmarks):
        MARK.write_text("apply")
        time.sleep(1000)

class Exits:
    def apply(self, crops, landmarks):
        sys.exit(3)

class Interrupts:
    def apply(self, crops, landmarks):
        raise KeyboardInterrupt

def exit_in_create():
    raise SystemExit(4)

@hookimpl
def lensengine_lenses():
    return [LensSpec(name="hangs_create", kind="face", create=hang_create),
            LensSpec(name="slow_create", kind="face", create=slow_create),
            LensSpec(name="hangs_apply", kind="face", create=HangsInApply),
            LensSpec(name="exits", kind="face", create=Exits),
            LensSpec(name="interrupts", kind="face", create=Interrupts),
            LensSpec(name="exits_in_create", kind="face", create=exit_in_create)]
"""


def start_run(tmp_path, *args):
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "HOSTILE_MARK": str(tmp_path / "mark"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "lensengine", "run", "--input", "sample", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def wait_for_mark(tmp_path, proc, timeout=90.0):
    deadline = time.monotonic() + timeout
    while not (tmp_path / "mark").exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the lens was never called"
        time.sleep(0.1)


def ends_within(proc, seconds):
    start = time.monotonic()
    try:
        out, err = proc.communicate(timeout=seconds + 5)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"still running {seconds + 5} s after the signal")
    return time.monotonic() - start, out, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_ends_a_run_whose_lens_hangs_in_create(tmp_path, install_plugins, sig):
    install_plugins({"hostile": HOSTILE})
    out = tmp_path / "out.avi"
    proc = start_run(tmp_path, "--lens", "hangs_create", "--output", str(out))
    wait_for_mark(tmp_path, proc)
    proc.send_signal(sig)
    took, _, err = ends_within(proc, 2.0)
    assert took < 2.0 and proc.returncode == 128 + sig, err
    assert "Traceback" not in err and not out.exists()  # no frame was written: no empty file left


def test_signal_ends_a_run_whose_lens_hangs_in_apply(tmp_path, install_plugins):
    install_plugins({"hostile": HOSTILE})
    out = tmp_path / "out.avi"
    proc = start_run(
        tmp_path, "--lens", "hangs_apply", "--lens-timeout", "0.3", "--loop", "--realtime", "--output", str(out)
    )
    wait_for_mark(tmp_path, proc)
    time.sleep(1.0)  # frames pass through meanwhile
    proc.send_signal(signal.SIGTERM)
    took, stdout, err = ends_within(proc, 2.0)
    assert took < 2.0 and proc.returncode == 143, err
    assert "frames written" in stdout and out.stat().st_size > 0  # the file was finalised


def test_run_with_a_lens_hung_in_apply_exits_by_itself(tmp_path, install_plugins):
    install_plugins({"hostile": HOSTILE})
    proc = start_run(tmp_path, "--lens", "hangs_apply", "--lens-timeout", "0.2", "--frames", "5", "--output", "null")
    _, stdout, err = ends_within(proc, 90.0)
    assert proc.returncode == 0, err
    assert "5 frames written" in stdout and "hangs_apply" in err and "frame passed through" in err


@pytest.mark.parametrize("lens, raised", [("exits", "SystemExit"), ("interrupts", "KeyboardInterrupt")])
def test_base_exceptions_from_a_lens_are_contained(tmp_path, install_plugins, caplog, lens, raised):
    install_plugins({"hostile": HOSTILE})
    out = tmp_path / "out.mkv"
    settings = EngineSettings(lens=lens, input="sample:1", output=str(out), realtime=False, frames=6)
    with open_engine(settings) as loop:
        stats = loop.run()
    assert stats.frames == 6
    messages = [r.getMessage() for r in caplog.records if "frame passed through" in r.getMessage()]
    assert len(messages) == 1 and raised in messages[0] and "hostile" in messages[0]  # named once
    import cv2

    cap = cv2.VideoCapture(str(out))
    clip = SampleClip((640, 480), faces=1)
    for i in range(6):
        ok, frame = cap.read()
        assert ok and np.array_equal(frame, clip.frame(i)[0])  # lossless: every frame passed through unchanged


def test_lens_that_loads_too_long_is_named(tmp_path, install_plugins):
    install_plugins({"hostile": HOSTILE})
    out = tmp_path / "out.avi"
    settings = EngineSettings(lens="slow_create", input="sample:1", output=str(out), lens_load_timeout=0.5)
    start = time.monotonic()
    with pytest.raises(LensEngineError, match=r"lens 'slow_create' \(plugin hostile\) did not load within 0.5 s"):
        with open_engine(settings):
            pass
    assert time.monotonic() - start < 4.5 and not out.exists()


def test_system_exit_in_create_is_a_load_error(tmp_path, install_plugins):
    install_plugins({"hostile": HOSTILE})
    settings = EngineSettings(lens="exits_in_create", input="sample:1", output="null")
    with pytest.raises(LensEngineError, match=r"exits_in_create.*plugin hostile.*failed to load: SystemExit"):
        with open_engine(settings):
            pass


@pytest.mark.parametrize(
    "option, value",
    [
        ("--lens-timeout", "0"),
        ("--lens-timeout", "-1"),
        ("--lens-timeout", "nan"),
        ("--lens-load-timeout", "inf"),
        ("--frames", "0"),
        ("--frames", "-5"),
        ("--max-faces", "0"),
        ("--fps", "0"),
        ("--lens-threads", "0"),
        ("--landmarks-every", "0"),
    ],
)
def test_bad_values_are_one_line_errors(tmp_path, capsys, option, value):
    out = tmp_path / "out.avi"
    code = main(["run", "--input", "sample", "--lens", "thug_glasses_classic", "--output", str(out), option, value])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and option in err and "Traceback" not in err
    assert not out.exists()
