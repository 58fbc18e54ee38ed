"""All lenses the engine can run: plugin lenses, plugin-shipped packs, the user's lens folder, a pack path."""

from __future__ import annotations

import logging
from pathlib import Path

from lensengine.errors import LensEngineError
from lensengine.lens import LensSpec, unknown_lens
from lensengine.lenses.plugins import PluginFailure, PluginRegistry

log = logging.getLogger("lensengine.plugins")


def _pack_spec(path: Path, backend: str, plugin: str) -> LensSpec:
    from dataclasses import replace

    from lensengine.lenses.neural import pack_lens_spec

    return replace(pack_lens_spec(path, backend=backend), plugin=plugin)


def all_packs(registry: PluginRegistry) -> list[tuple[str, Path]]:
    """(source, path) of every pack: those plugins ship, then those in the user's lens folder."""
    from lensengine.lenses.neural import find_user_packs

    return list(registry.packs) + [("user lens folder", p) for p in find_user_packs()]


def superres_packs(registry: PluginRegistry) -> dict[str, Path]:
    """Name -> path of every super-resolution pack (family ``superres``) that plugins or the user provide."""
    from lensengine.compose.superres import find_superres_packs

    return find_superres_packs(all_packs(registry))


def lens_catalogue(registry: PluginRegistry, backend: str = "auto") -> list[LensSpec]:
    """Every lens by name, in a stable order (plugin lenses, then packs). A broken pack is reported and skipped."""
    from lensengine.compose.superres import SUPERRES_FAMILY

    specs = dict(registry.lenses)
    for plugin, path in all_packs(registry):
        try:
            spec = _pack_spec(path, backend, plugin)
        except LensEngineError as exc:
            registry.failed.append(PluginFailure(plugin, str(exc)))
            log.warning("%s: %s (skipped)", plugin, exc)
            continue
        if spec.pack.family == SUPERRES_FAMILY:  # a pipeline stage, not a lens: see superres_packs()
            continue
        if spec.name in specs:
            other = specs[spec.name].plugin
            registry.failed.append(PluginFailure(plugin, f"lens {spec.name!r} is already provided by {other}"))
            continue
        specs[spec.name] = spec
    return sorted(specs.values(), key=lambda s: s.name)


def resolve_superres(choice: str, registry: PluginRegistry, backend: str = "auto"):
    """The SuperResStage for ``--superres NAME|none|auto`` (None for none, or auto with no SR pack installed)."""
    if choice == "none":
        return None
    from lensengine.compose.superres import SuperResStage
    from lensengine.packs import load_pack

    available = superres_packs(registry)
    if choice == "auto":
        if not available:
            return None
        choice = sorted(available)[0]
    if choice not in available:
        known = ", ".join(sorted(available)) or "none installed"
        raise LensEngineError(f"unknown --superres {choice!r}; choose none, auto or one of: {known}")
    return SuperResStage(load_pack(available[choice]), backend=backend)


def resolve_lens(
    name_or_path: str, catalogue: list[LensSpec], backend: str = "auto"
) -> tuple[LensSpec, list[LensSpec]]:
    """The lens to start with and the hotkey order. A path to a pack folder or .zip is loaded as a lens."""
    path = Path(name_or_path)
    if path.exists() and (path.is_dir() or path.suffix == ".zip"):
        spec = _pack_spec(path, backend, "command line")
        return spec, [spec] + [s for s in catalogue if s.name != spec.name]
    for spec in catalogue:
        if spec.name == name_or_path:
            return spec, catalogue
    raise unknown_lens(name_or_path, [s.name for s in catalogue], hint=" (or give a lens pack's path)")
