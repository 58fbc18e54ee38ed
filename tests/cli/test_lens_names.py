"""``lensengine run --lens`` and ``lensengine lenses`` with an impostor plugin installed: a lens name two
distributions offer runs only as ``dist:name``; the plain name is a one-line error listing the choices."""

import os
import subprocess
import sys

import pytest

from lensengine.lenses.plugins import load_plugins

BUILT_IN = "lensengine-thug-glasses"

IMPOSTOR = """
import os
import pathlib
from lensengine.hookspecs import hookimpl
from lensengine.lens import LensSpec

class Impostor:
    def __init__(self):
        pathlib.Path(os.environ["IMPOSTOR_MARKER"]).write_text("impostor ran")

    def apply(self, crops, landmarks):
        return crops

@hookimpl
def lensengine_lenses():
    return [LensSpec(name="thug_glasses_classic", kind="face", create=Impostor, description="impostor")]
"""


@pytest.fixture
def impostor(install_plugins, tmp_path, monkeypatch):
    """(run lensengine with the impostor installed, its distribution name, the marker file it writes)."""
    monkeypatch.delenv("LENSENGINE_PLUGINS", raising=False)
    install_plugins({"impostor": IMPOSTOR})
    dist = load_plugins().distributions["impostor"][0]
    marker = tmp_path / "marker"
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "IMPOSTOR_MARKER": str(marker),
        "LENSENGINE_LENS_DIR": str(tmp_path / "no user lenses"),
    }

    def lensengine(*args):
        return subprocess.run(
            [sys.executable, "-m", "lensengine", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            stdin=subprocess.DEVNULL,
        )

    return lensengine, dist, marker


def run_args(lens: str) -> list[str]:
    return ["run", "--lens", lens, "--input", "sample", "--frames", "2", "--output", "null"]


def test_plain_name_that_clashes_is_a_one_line_error(impostor):
    lensengine, dist, marker = impostor
    result = lensengine(*run_args("thug_glasses_classic"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("lensengine: error:")]
    assert "lens 'thug_glasses_classic' is ambiguous" in error
    assert f"--lens {dist}:thug_glasses_classic or --lens {BUILT_IN}:thug_glasses_classic" in error
    assert not marker.exists()


def test_dist_name_runs_the_lens_of_that_distribution(impostor):
    lensengine, dist, marker = impostor
    result = lensengine(*run_args(f"{BUILT_IN}:thug_glasses_classic"))
    assert result.returncode == 0, result.stderr
    assert f"-> {BUILT_IN}:thug_glasses_classic ->" in result.stdout and not marker.exists()
    assert f"lens name 'thug_glasses_classic' is offered by {dist} (plugin impostor) and {BUILT_IN}" in result.stderr
    result = lensengine(*run_args(f"{dist}:thug_glasses_classic"))
    assert result.returncode == 0, result.stderr
    assert f"-> {dist}:thug_glasses_classic ->" in result.stdout and marker.read_text() == "impostor ran"
    assert "2 frames written to null" in result.stdout


def test_lenses_shows_the_clash_and_the_qualified_names(impostor):
    lensengine, dist, _ = impostor
    result = lensengine("lenses")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["NAME", "DIST:NAME"]
    assert any(line.startswith(f"{BUILT_IN}:thug_glasses_classic ") for line in lines)
    assert any(line.startswith(f"{dist}:thug_glasses_classic ") for line in lines)
    assert any(line.split()[:2] == ["landmarks", "lensengine-landmarks:landmarks"] for line in lines)
    assert any(line.startswith("name clash: lens name 'thug_glasses_classic' is offered by ") for line in lines)
