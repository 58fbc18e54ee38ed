"""All lenses the engine can run: plugin lenses, plugin-shipped packs, the user's lens folder, a pack path."""

from __future__ import annotations

import logging
from pathlib import Path

from lensengine.errors import LensEngineError
from lensengine.lens import LensSpec, unknown_lens
from lensengine.lenses.names import LensClash, LensNames, Offer, unique_names
from lensengine.lenses.plugins import PluginFailure, PluginRegistry, report_duplicates

log = logging.getLogger("lensengine.plugins")


class LensCatalogue(list):
    """The lenses by unique name, in a stable order (a list of LensSpec), and how to find one by ``name`` or
    ``dist:name`` (see ``lensengine.lenses.names``): ``clashes`` are the names more than one source offers."""

    def __init__(self, names: LensNames) -> None:
        super().__init__(sorted(names.by_name.values(), key=lambda s: s.name))
        self.names = names

    @property
    def clashes(self) -> list[LensClash]:
        return self.names.clashes

    def qualified(self, spec: LensSpec) -> str:
        """``dist:name`` of a lens in the catalogue."""
        return self.names.qualified.get(spec.name, spec.name)

    def find(self, name: str) -> LensSpec | None:
        """The lens ``name`` or ``dist:name``; None when unknown; LensEngineError (one line) when ambiguous."""
        return self.names.find(name)

    @classmethod
    def of(cls, specs: list[LensSpec]) -> LensCatalogue:
        """A catalogue of specs already gathered (their plugin stands in for their distribution)."""
        return cls(unique_names(Offer(spec, spec.plugin or "command line") for spec in specs))


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


def lens_catalogue(registry: PluginRegistry, backend: str = "auto") -> LensCatalogue:
    """Every lens by unique name, in a stable order (plugin lenses and packs). A broken pack is reported and
    skipped; a name that more than one distribution offers is reported (a warning naming both) and each of its
    lenses goes by ``dist:name``."""
    from lensengine.compose.superres import SUPERRES_FAMILY

    offers = list(registry.offered)
    for plugin, path in all_packs(registry):
        try:
            spec = _pack_spec(path, backend, plugin)
        except LensEngineError as exc:
            registry.failed.append(PluginFailure(plugin, str(exc)))
            log.warning("%s: %s (skipped)", plugin, exc)
            continue
        if spec.pack.family == SUPERRES_FAMILY:  # a pipeline stage, not a lens: see superres_packs()
            continue
        offers.append(Offer(spec, registry.qualifier(plugin)))
    catalogue = LensCatalogue(unique_names(offers))
    report_duplicates(registry, catalogue.names)
    for clash in catalogue.clashes:
        log.warning("%s", clash.report())
    return catalogue


def resolve_superres(choice: str, registry: PluginRegistry, backend: str = "auto"):
    """The SR stage for ``--superres NAME|none|auto``: None for none, and for auto unless an installed SR pack has
    measured a gain worth its cost (``compose.superres.worth_it_for_auto``; the largest gain wins). The stage's
    backend is loaded the first time a face needs it (``DeferredSuperResStage``)."""
    if choice == "none":
        return None
    from lensengine.compose.superres import (
        MIN_AUTO_GAIN_DB,
        DeferredSuperResStage,
        measured_gain_db,
        worth_it_for_auto,
    )
    from lensengine.packs import load_pack

    available = superres_packs(registry)
    if choice == "auto":
        packs = {name: load_pack(path) for name, path in available.items()}
        worthy = sorted(
            (n for n, p in packs.items() if worth_it_for_auto(p)), key=lambda n: -measured_gain_db(packs[n])
        )
        for name in sorted(set(packs) - set(worthy)):
            gain = measured_gain_db(packs[name])
            measured = "no measured gain" if gain is None else f"{gain:+.2f} dB over bicubic"
            log.debug("superres auto: %s not used (%s; auto needs >= %.1f dB)", name, measured, MIN_AUTO_GAIN_DB)
        if not worthy:
            return None
        return DeferredSuperResStage(packs[worthy[0]], backend=backend)
    if choice not in available:
        known = ", ".join(sorted(available)) or "none installed"
        raise LensEngineError(f"unknown --superres {choice!r}; choose none, auto or one of: {known}")
    return DeferredSuperResStage(load_pack(available[choice]), backend=backend)


def resolve_lens(
    name_or_path: str, catalogue: list[LensSpec], backend: str = "auto"
) -> tuple[LensSpec, list[LensSpec]]:
    """The lens to start with and the hotkey order. A path to a pack folder or .zip is loaded as a lens.

    ``name_or_path`` may be a lens's name or its ``dist:name``; a name that more than one distribution offers is
    a one-line LensEngineError listing the ``dist:name`` choices, so no lens runs in another's place.
    """
    path = Path(name_or_path)
    if path.exists() and (path.is_dir() or path.suffix == ".zip"):
        spec = _pack_spec(path, backend, "command line")
        return spec, [spec] + [s for s in catalogue if s.name != spec.name]
    if not isinstance(catalogue, LensCatalogue):
        catalogue = LensCatalogue.of(list(catalogue))
    spec = catalogue.find(name_or_path)
    if spec is None:
        raise unknown_lens(name_or_path, [s.name for s in catalogue], hint=" (or give a lens pack's path)")
    return spec, catalogue
