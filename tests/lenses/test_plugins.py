"""Plugin discovery through real entry points: fake distributions written to a folder on sys.path."""

import pytest

from lensengine.errors import LensEngineError
from lensengine.lenses.plugins import load_plugins

GOOD = """
from lensengine.hookspecs import hookimpl
from lensengine.lens import LensSpec

class Identity:
    def apply(self, crops, landmarks):
        return crops

@hookimpl
def lensengine_lenses():
    return [LensSpec(name="{name}", kind="face", create=Identity, description="test lens")]
"""

RAISES_IN_HOOK = """
from lensengine.hookspecs import hookimpl

@hookimpl
def lensengine_lenses():
    raise RuntimeError("hook bug")
"""

BAD_RETURN = """
from lensengine.hookspecs import hookimpl

@hookimpl
def lensengine_lenses():
    return ["not a spec"]
"""


def test_installed_entry_point_is_discovered(install_plugins):
    install_plugins({"goodone": GOOD.format(name="good_lens")})
    registry = load_plugins()
    assert "goodone" in registry.loaded
    spec = registry.lens("good_lens")
    assert spec.plugin == "goodone" and spec.kind == "face"


def test_broken_plugins_are_reported_by_name_and_skipped(install_plugins):
    install_plugins(
        {
            "importfails": "raise ImportError('missing dependency xyz')\n",
            "hookraises": RAISES_IN_HOOK,
            "badreturn": BAD_RETURN,
            "stillworks": GOOD.format(name="survivor"),
        }
    )
    registry = load_plugins()
    failed = {f.plugin: f.error for f in registry.failed}
    assert "missing dependency xyz" in failed["importfails"]
    assert "hook bug" in failed["hookraises"]
    assert "list of LensSpec" in failed["badreturn"]
    assert registry.lens("survivor").plugin == "stillworks"


def test_duplicate_lens_name_is_reported(install_plugins):
    install_plugins({"first": GOOD.format(name="dup"), "second": GOOD.format(name="dup")})
    registry = load_plugins()
    assert registry.lens("dup").plugin in ("first", "second")
    assert any("already provided" in f.error for f in registry.failed)


def test_env_var_restricts_plugins(install_plugins, monkeypatch):
    install_plugins({"keepme": GOOD.format(name="kept"), "dropme": GOOD.format(name="dropped")})
    monkeypatch.setenv("LENSENGINE_PLUGINS", "keepme")
    registry = load_plugins()
    assert registry.loaded == ["keepme"]
    assert "dropped" not in registry.lenses


def test_unknown_lens_lists_known_ones(install_plugins):
    install_plugins({"goodone": GOOD.format(name="alpha")})
    with pytest.raises(LensEngineError, match="known lenses:.*alpha"):
        load_plugins().lens("nope")


def test_trace_env_var_writes_hook_calls(install_plugins, monkeypatch, capsys):
    install_plugins({"goodone": GOOD.format(name="traced")})
    monkeypatch.setenv("LENSENGINE_PLUGINS", "goodone")
    monkeypatch.setenv("LENSENGINE_TRACE", "1")
    load_plugins().manager.hook.lensengine_lenses()
    assert "lensengine_lenses" in capsys.readouterr().err


MISSPELT = """
from lensengine.hookspecs import hookimpl

@hookimpl
def lensengine_lense():
    return []
"""


def test_misspelt_hook_name_is_reported(install_plugins):
    install_plugins({"typo": MISSPELT, "fine": GOOD.format(name="ok_lens")})
    registry = load_plugins()
    failed = {f.plugin: f.error for f in registry.failed}
    assert "lensengine_lense" in failed["typo"] and "\n" not in failed["typo"]
    assert "typo" not in registry.loaded and registry.lens("ok_lens").plugin == "fine"
