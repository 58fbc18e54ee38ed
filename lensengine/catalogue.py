"""All lenses the engine can run: plugin lenses, plugin-shipped packs, the user's lens folder, a pack path."""

from __future__ import annotations

import logging
from pathlib import Path

from lensengine.errors import LensEngineError
from lensengine.lens import LensSpec
from lensengine.plugin_manager import PluginFailure, PluginRegistry

log = logging.getLogger("lensengine.plugins")


def _pack_spec(path: Path, backend: str, plugin: str) -> LensSpec:
    from dataclasses import replace

    from lensengine.neural_lens import pack_lens_spec

    return replace(pack_lens_spec(path, backend=backend), plugin=plugin)


def lens_catalogue(registry: PluginRegistry, backend: str = "auto") -> list[LensSpec]:
    """Every lens by name, in a stable order (plugin lenses, then packs). A broken pack is reported and skipped."""
    from lensengine.neural_lens import find_user_packs

    specs = dict(registry.lenses)
    packs = list(registry.packs) + [("user lens folder", p) for p in find_user_packs()]
    for plugin, path in packs:
        try:
            spec = _pack_spec(path, backend, plugin)
        except LensEngineError as exc:
            registry.failed.append(PluginFailure(plugin, str(exc)))
            log.warning("%s: %s (skipped)", plugin, exc)
            continue
        if spec.name in specs:
            registry.failed.append(PluginFailure(plugin, f"lens {spec.name!r} is already provided by {specs[spec.name].plugin}"))
            continue
        specs[spec.name] = spec
    return sorted(specs.values(), key=lambda s: s.name)


def resolve_lens(name_or_path: str, catalogue: list[LensSpec], backend: str = "auto") -> tuple[LensSpec, list[LensSpec]]:
    """The lens to start with and the hotkey order. A path to a pack folder or .zip is loaded as a lens."""
    path = Path(name_or_path)
    if path.exists() and (path.is_dir() or path.suffix == ".zip"):
        spec = _pack_spec(path, backend, "command line")
        return spec, [spec] + [s for s in catalogue if s.name != spec.name]
    for spec in catalogue:
        if spec.name == name_or_path:
            return spec, catalogue
    known = ", ".join(s.name for s in catalogue) or "none (no lens plugin is installed)"
    raise LensEngineError(f"unknown lens {name_or_path!r}; known lenses: {known} (or give a lens pack's path)")
