"""Plugin discovery through real entry points: fake distributions written to a folder on sys.path."""

import textwrap
import types

import pytest

from lensengine.errors import LensEngineError
from lensengine.lenses.catalogue import resolve_lens
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


def test_duplicate_lens_name_is_kept_by_neither(install_plugins):
    install_plugins({"first": GOOD.format(name="dup"), "second": GOOD.format(name="dup")})
    registry = load_plugins()
    first, second = (registry.qualifier(plugin) for plugin in ("first", "second"))
    assert "dup" not in registry.lenses and {f"{first}:dup", f"{second}:dup"} <= set(registry.lenses)
    assert registry.lens(f"{second}:dup").plugin == "second"
    with pytest.raises(LensEngineError, match=f"^lens 'dup' is ambiguous: .*--lens {first}:dup"):
        registry.lens("dup")
    assert registry.failed == []  # a clash is no plugin's failure: see registry.clashes


def test_env_var_blocks_the_plugins_it_does_not_name(install_plugins, monkeypatch):
    install_plugins({"keepme": GOOD.format(name="kept"), "dropme": GOOD.format(name="dropped")})
    monkeypatch.setenv("LENSENGINE_PLUGINS", "keepme")
    registry = load_plugins()
    assert registry.loaded == ["keepme"]
    assert "dropme" in registry.blocked and "keepme" not in registry.blocked
    assert registry.manager.is_blocked("dropme") and not registry.manager.is_blocked("keepme")
    assert "dropped" not in registry.lenses and registry.failed == []


def test_a_blocked_plugin_is_not_even_imported(install_plugins, monkeypatch):
    install_plugins({"keepme": GOOD.format(name="kept"), "broken": "raise ImportError('never imported')\n"})
    monkeypatch.setenv("LENSENGINE_PLUGINS", "keepme")
    registry = load_plugins()
    assert registry.failed == [] and "broken" in registry.blocked


def test_plugins_are_listed_with_their_distribution_and_version(install_plugins):
    install_plugins({"goodone": GOOD.format(name="versioned")})
    registry = load_plugins(extra_plugins={"passed_in": _module("passed_in", GOOD.format(name="passed"))})
    distribution, version = registry.distributions["goodone"]
    assert distribution.startswith("lensengine_test_goodone_") and version == "0.1"
    assert registry.source("goodone") == f"{distribution} 0.1"
    assert registry.source("passed_in") == "not installed"


def test_unknown_lens_lists_known_ones(install_plugins):
    install_plugins({"goodone": GOOD.format(name="alpha")})
    registry = load_plugins()
    with pytest.raises(LensEngineError, match="^unknown lens 'nope'; known lenses:.*alpha"):
        registry.lens("nope")
    with pytest.raises(LensEngineError, match="^unknown lens 'nope'; known lenses:.*alpha.*lens pack's path"):
        resolve_lens("nope", list(registry.lenses.values()))
    with pytest.raises(LensEngineError, match="known lenses: none [(]no lens plugin is installed[)]"):
        resolve_lens("nope", [])


def test_trace_shows_the_hook_calls_the_engine_makes(install_plugins, monkeypatch, capsys):
    install_plugins({"goodone": GOOD.format(name="traced"), "hookraises": RAISES_IN_HOOK})
    monkeypatch.setenv("LENSENGINE_TRACE", "1")
    registry = load_plugins()  # no hook called by the test itself: what is traced is the engine's own calls
    err = capsys.readouterr().err
    assert "lensengine_lenses -> plugin goodone [hook]" in err
    assert "finish lensengine_lenses --> [[LensSpec(name='traced'" in err
    assert "lensengine_lenses -> plugin hookraises [hook]" in err and "RuntimeError: hook bug" in err
    assert "lensengine_lens_packs [hook]" in err
    assert registry.lens("traced").plugin == "goodone"


def test_no_trace_without_the_env_var(install_plugins, monkeypatch, capsys):
    install_plugins({"goodone": GOOD.format(name="quiet")})
    monkeypatch.delenv("LENSENGINE_TRACE", raising=False)
    load_plugins()
    assert "[hook]" not in capsys.readouterr().err


FIRST = """
from lensengine.hookspecs import hookimpl
from lensengine.lens import LensSpec

class Identity:
    def apply(self, crops, landmarks):
        return crops

@hookimpl(tryfirst=True)
def lensengine_lenses():
    return [LensSpec(name="contested", kind="face", create=Identity, description="from the tryfirst plugin")]
"""


@pytest.mark.parametrize("order", [("eager", "plain"), ("plain", "eager")])
def test_pluggy_call_order_does_not_decide_who_keeps_a_name(install_plugins, order):
    sources = {"eager": FIRST, "plain": GOOD.format(name="contested")}
    registry = load_plugins(extra_plugins={name: _module(name, sources[name]) for name in order})
    (clash,) = registry.clashes  # plugins passed in are no distribution: their own name qualifies their lenses
    assert clash.report() == (
        "lens name 'contested' is offered by eager and plain; neither runs by that name: "
        "choose --lens eager:contested or --lens plain:contested"
    )
    assert registry.lens("eager:contested").description == "from the tryfirst plugin"
    assert registry.lens("plain:contested").plugin == "plain" and registry.failed == []


def _module(name: str, source: str):
    module = types.ModuleType(f"lensengine_test_{name}")
    exec(textwrap.dedent(source), module.__dict__)
    return module


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
