"""``lensengine studio`` and ``lensengine run --studio`` from the command line: the address with its token is
printed, the engine runs the sample clip and the command ends with status 0 after --frames."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest

pytest.importorskip("uvicorn", reason="the studio needs its extra: pip install -e '.[studio]'")

ADDRESS = re.compile(r"open http://127\.0\.0\.1:\d+/\?token=[\w-]{40,}")


def test_studio_command(tmp_path):
    args = ["studio", "--input", "sample", "--output", "null", "--port", "0", "--no-browser", "--frames", "15"]
    done = subprocess.run(
        [sys.executable, "-m", "lensengine", *args, "--lens", "thug_glasses_classic"],
        capture_output=True,
        text=True,
        timeout=150,
        env={**os.environ, "LENSENGINE_CACHE_DIR": str(tmp_path)},
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert ADDRESS.search(done.stdout), done.stdout
    assert "15 frames written to null" in done.stdout


def test_run_with_studio(capsys, monkeypatch, tmp_path):
    from lensengine.cli import main

    monkeypatch.setenv("LENSENGINE_CACHE_DIR", str(tmp_path))
    args = ["run", "--studio", "--input", "sample", "--output", "null", "--frames", "10", "--lens", "landmarks"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert ADDRESS.search(out), out
    assert "10 frames written to null" in out


def test_port_taken_is_one_line():
    from lensengine.errors import LensEngineError
    from lensengine.studio.server import DEFAULT_PORT, bind_local

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(LensEngineError, match=f"cannot listen on 127.0.0.1:{port}.*--port 0"):
            bind_local(port)
        assert port != DEFAULT_PORT


def test_binds_loopback_only():
    from lensengine.studio.server import bind_local

    with bind_local(0) as sock:
        assert sock.getsockname()[0] == "127.0.0.1"
