"""Finds lens plugins through the ``lensengine`` entry-point group and collects their lenses.

Every plugin, built-in or third-party, comes in the same way: an installed distribution declares an entry point
in the group ``lensengine``. A plugin that fails to import, or whose hook raises or returns something that is not
a list of LensSpec, is reported by name and skipped; the others go on.

Environment:
    LENSENGINE_PLUGINS=a,b   load only these entry points (by entry-point name)
    LENSENGINE_TRACE=1       print every hook call and its result (pluggy's tracing) to stderr
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field, replace
from importlib.metadata import entry_points
from pathlib import Path

import pluggy

from lensengine import hookspecs
from lensengine.errors import LensEngineError
from lensengine.lens import LensSpec

ENTRY_POINT_GROUP = "lensengine"
log = logging.getLogger("lensengine.plugins")


@dataclass
class PluginFailure:
    plugin: str
    error: str


@dataclass
class PluginRegistry:
    """The plugins that loaded, the ones that failed, and the lenses they offer (by name)."""

    manager: pluggy.PluginManager
    loaded: list[str] = field(default_factory=list)
    failed: list[PluginFailure] = field(default_factory=list)
    lenses: dict[str, LensSpec] = field(default_factory=dict)
    packs: list[tuple[str, Path]] = field(default_factory=list)

    def lens(self, name: str) -> LensSpec:
        """The lens called ``name``; an unknown name lists the known ones."""
        try:
            return self.lenses[name]
        except KeyError:
            known = ", ".join(sorted(self.lenses)) or "none (no lens plugin is installed)"
            raise LensEngineError(f"unknown lens {name!r}; known lenses: {known}") from None


def _wanted(name: str) -> bool:
    only = os.environ.get("LENSENGINE_PLUGINS", "").strip()
    return not only or name in {n.strip() for n in only.split(",")}


def _call_each(registry: PluginRegistry, hook_name: str) -> list[tuple[str, object]]:
    """Call one hook on every plugin separately, so one plugin's exception cannot hide the others' answers."""
    results = []
    for impl in getattr(registry.manager.hook, hook_name).get_hookimpls():
        try:
            answer = impl.function()
        except Exception as exc:  # a plugin's bug must not stop the engine
            registry.failed.append(PluginFailure(impl.plugin_name, f"{hook_name} raised {type(exc).__name__}: {exc}"))
            log.warning("plugin %s: %s raised %s: %s (skipped)", impl.plugin_name, hook_name, type(exc).__name__, exc)
            continue
        if answer is not None:
            results.append((impl.plugin_name, answer))
    return results


def _collect_lenses(registry: PluginRegistry) -> None:
    for plugin, specs in _call_each(registry, "lensengine_lenses"):
        if not isinstance(specs, (list, tuple)) or not all(isinstance(s, LensSpec) for s in specs):
            registry.failed.append(PluginFailure(plugin, "lensengine_lenses must return a list of LensSpec"))
            continue
        for spec in specs:
            if spec.name in registry.lenses:
                other = registry.lenses[spec.name].plugin
                registry.failed.append(PluginFailure(plugin, f"lens {spec.name!r} is already provided by {other}"))
                continue
            registry.lenses[spec.name] = replace(spec, plugin=plugin)


def _collect_packs(registry: PluginRegistry) -> None:
    for plugin, paths in _call_each(registry, "lensengine_lens_packs"):
        for path in paths or []:
            registry.packs.append((plugin, Path(path)))


def load_plugins(extra_plugins: dict[str, object] | None = None) -> PluginRegistry:
    """Load every ``lensengine`` entry point (and ``extra_plugins``, name -> module/object, for tests)."""
    manager = pluggy.PluginManager("lensengine")
    manager.add_hookspecs(hookspecs)
    if os.environ.get("LENSENGINE_TRACE"):
        manager.trace.root.setwriter(lambda msg: sys.stderr.write(msg))
        manager.enable_tracing()
    registry = PluginRegistry(manager)
    candidates: list[tuple[str, object]] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if not _wanted(ep.name) or any(ep.name == n for n, _ in candidates):
            continue
        try:
            candidates.append((ep.name, ep.load()))
        except Exception as exc:  # an uninstallable or broken plugin is skipped, not fatal
            registry.failed.append(PluginFailure(ep.name, f"import failed: {type(exc).__name__}: {exc}"))
            log.warning("plugin %s failed to load: %s: %s (skipped)", ep.name, type(exc).__name__, exc)
    candidates.extend((extra_plugins or {}).items())
    for name, plugin in candidates:
        try:
            manager.register(plugin, name=name)
            manager.check_pending()  # a lensengine_* function that matches no hook: most likely a misspelt name
            registry.loaded.append(name)
        except Exception as exc:
            if manager.is_registered(plugin):
                manager.unregister(plugin)
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            registry.failed.append(PluginFailure(name, f"registration failed: {first_line}"))
    _collect_lenses(registry)
    _collect_packs(registry)
    return registry
