"""Finds lens plugins through the ``lensengine`` entry-point group and collects their lenses.

Every plugin, built-in or third-party, comes in the same way: an installed distribution declares an entry point
in the group ``lensengine``. A plugin that fails to import, or whose hook raises or returns something that is not
a list of LensSpec, is reported by name and skipped; the others go on. A lens name two distributions offer is
kept by neither: both lenses go by ``dist:name`` (see ``lensengine.lenses.names``).

Every hook is called through the plugin manager (``pm.hook``): once per plugin, through
``pm.subset_hook_caller``, in pluggy's call order (``tryfirst``/``trylast``, last registered first). So pluggy's
tracing and any ``add_hookcall_monitoring`` see exactly the calls the engine makes, and one plugin that raises
loses only its own answer.

Environment:
    LENSENGINE_PLUGINS=a,b   load only these entry points (by entry-point name); the others are blocked
                             (``pm.set_blocked``), not imported, and reported as blocked
    LENSENGINE_TRACE=1       print pluggy's trace of every hook call the engine makes, with the plugins it goes to
                             and their answers, to stderr
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
from lensengine.lens import LensSpec, unknown_lens
from lensengine.lenses.names import LensClash, LensNames, Offer, unique_names

ENTRY_POINT_GROUP = "lensengine"
PLUGINS_ENV = "LENSENGINE_PLUGINS"
TRACE_ENV = "LENSENGINE_TRACE"
log = logging.getLogger("lensengine.plugins")


@dataclass
class PluginFailure:
    plugin: str
    error: str


@dataclass
class PluginRegistry:
    """The plugins that loaded, failed or were blocked, where they come from, and the lenses they offer."""

    manager: pluggy.PluginManager
    loaded: list[str] = field(default_factory=list)
    failed: list[PluginFailure] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # entry points left out by LENSENGINE_PLUGINS
    distributions: dict[str, tuple[str, str]] = field(default_factory=dict)  # plugin -> (distribution, version)
    offered: list[Offer] = field(default_factory=list)  # every plugin lens as offered, clashes included
    names: LensNames = field(default_factory=LensNames)
    packs: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def lenses(self) -> dict[str, LensSpec]:
        """The plugin lenses by unique name: plain, or ``dist:name`` where two distributions offer the name."""
        return self.names.by_name

    @property
    def clashes(self) -> list[LensClash]:
        """Lens names that more than one plugin distribution offers (lens packs not counted: see the catalogue)."""
        return self.names.clashes

    def lens(self, name: str) -> LensSpec:
        """The lens called ``name`` (or addressed as ``dist:name``); an unknown name lists the known ones, an
        ambiguous one the ``dist:name`` choices."""
        spec = self.names.find(name)
        if spec is None:
            raise unknown_lens(name, sorted(self.lenses))
        return spec

    def qualifier(self, plugin: str) -> str:
        """What ``dist:name`` starts with for a lens of ``plugin``: its distribution's name, else the plugin's."""
        return self.distributions[plugin][0] if plugin in self.distributions else plugin

    def source(self, plugin: str) -> str:
        """Where a loaded plugin comes from: "distribution version", or "not installed" for one passed in."""
        return " ".join(self.distributions[plugin]) if plugin in self.distributions else "not installed"


def _only() -> set[str] | None:
    """The entry-point names LENSENGINE_PLUGINS lets in, or None when it is unset (all)."""
    only = os.environ.get(PLUGINS_ENV, "").strip()
    return {n.strip() for n in only.split(",") if n.strip()} if only else None


def _fail(registry: PluginRegistry, plugin: str, error: str, warn: bool = False) -> None:
    registry.failed.append(PluginFailure(plugin, error))
    if warn:
        log.warning("plugin %s: %s (skipped)", plugin, error)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _call_each(registry: PluginRegistry, hook_name: str) -> list[tuple[str, object]]:
    """(plugin, answer) of every plugin that implements the hook, each called through ``pm.hook`` on its own.

    A plugin whose hook raises is reported by name and skipped; the others' answers still count.
    """
    manager = registry.manager
    hook = getattr(manager.hook, hook_name)
    # get_hookimpls() is in registration order; pluggy calls the last one first, so walk it backwards.
    implementers = [impl.plugin for impl in reversed(hook.get_hookimpls()) if not (impl.hookwrapper or impl.wrapper)]
    everyone = {impl.plugin for impl in hook.get_hookimpls()}
    results = []
    for plugin in dict.fromkeys(implementers):
        name = manager.get_name(plugin) or repr(plugin)
        only_this = manager.subset_hook_caller(hook_name, remove_plugins=everyone - {plugin})
        try:
            answers = only_this()
        except Exception as exc:  # a plugin's bug must not stop the engine
            _fail(registry, name, f"{hook_name} raised {_one_line(exc)}", warn=True)
            continue
        results.extend((name, answer) for answer in answers)
    return results


def _collect_lenses(registry: PluginRegistry) -> None:
    for plugin, specs in _call_each(registry, "lensengine_lenses"):
        if not isinstance(specs, (list, tuple)) or not all(isinstance(s, LensSpec) for s in specs):
            _fail(registry, plugin, "lensengine_lenses must return a list of LensSpec")
            continue
        registry.offered.extend(Offer(replace(spec, plugin=plugin), registry.qualifier(plugin)) for spec in specs)
    registry.names = unique_names(registry.offered)
    report_duplicates(registry, registry.names)


def report_duplicates(registry: PluginRegistry, names: LensNames) -> None:
    """A name offered twice by one distribution cannot be told apart even as ``dist:name``: the second is
    dropped and reported against its plugin."""
    for kept, dropped in names.duplicates:
        message = f"lens {dropped.spec.name!r} is already provided by {kept.spec.plugin} of {kept.qualifier}"
        if all(f.plugin != dropped.spec.plugin or f.error != message for f in registry.failed):
            _fail(registry, dropped.spec.plugin, message)


def _collect_packs(registry: PluginRegistry) -> None:
    for plugin, paths in _call_each(registry, "lensengine_lens_packs"):
        try:
            registry.packs.extend((plugin, Path(path)) for path in paths or [])
        except TypeError:
            _fail(registry, plugin, "lensengine_lens_packs must return a list of paths")


def _trace_to_stderr(manager: pluggy.PluginManager) -> None:
    """pluggy's own tracing of every hook call, plus a line naming the plugins each call goes to."""
    hooktrace = manager.trace.root.get("hook")

    def before(hook_name, methods, kwargs) -> None:
        hooktrace(hook_name, "-> plugin", ", ".join(impl.plugin_name for impl in methods) or "none")

    def after(outcome, hook_name, methods, kwargs) -> None:
        if outcome.exception is not None:
            hooktrace("raised", hook_name, "-->", _one_line(outcome.exception))

    manager.trace.root.setwriter(sys.stderr.write)
    manager.add_hookcall_monitoring(before, after)
    manager.enable_tracing()  # added last, so it runs first: its indented lines hold the plugin line


def _distribution(entry_point) -> tuple[str, str]:
    """(distribution name, version) that declares an entry point."""
    dist = getattr(entry_point, "dist", None)
    return (dist.metadata["Name"], dist.version) if dist is not None else ("unknown distribution", "?")


def load_plugins(extra_plugins: dict[str, object] | None = None) -> PluginRegistry:
    """Load every ``lensengine`` entry point (and ``extra_plugins``, name -> module/object, for tests)."""
    manager = pluggy.PluginManager("lensengine")
    manager.add_hookspecs(hookspecs)
    if os.environ.get(TRACE_ENV):
        _trace_to_stderr(manager)
    registry = PluginRegistry(manager)
    only = _only()
    candidates: list[tuple[str, object]] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if manager.is_blocked(ep.name) or any(ep.name == n for n, _ in candidates):
            continue
        if only is not None and ep.name not in only:
            manager.set_blocked(ep.name)
            registry.blocked.append(ep.name)
            continue
        try:
            candidates.append((ep.name, ep.load()))
        except Exception as exc:  # an uninstallable or broken plugin is skipped, not fatal
            _fail(registry, ep.name, f"import failed: {_one_line(exc)}", warn=True)
            continue
        registry.distributions[ep.name] = _distribution(ep)
    candidates.extend((extra_plugins or {}).items())
    for name, plugin in candidates:
        try:
            if manager.register(plugin, name=name) is None:
                continue  # a blocked name
            manager.check_pending()  # a lensengine_* function that matches no hook: most likely a misspelt name
            registry.loaded.append(name)
        except Exception as exc:
            if manager.is_registered(plugin):
                manager.unregister(plugin)
            _fail(registry, name, f"registration failed: {_first_line(exc)}")
    _collect_lenses(registry)
    _collect_packs(registry)
    return registry
