"""Lens names: unique among the lenses the engine offers, and every lens addressable as ``dist:name``.

Two sources may offer the same lens name: two plugin distributions, or a plugin and a lens pack. Nothing is
special-cased by name, so neither keeps the plain name: both are listed under their qualified names
``<distribution>:<name>``, the clash is reported naming both distributions and plugins, and a plain ``NAME``
that is ambiguous is an error listing the ``dist:name`` choices. Nothing runs an impostor silently.

``dist:name`` is accepted for every lens, clashing or not. The distribution part is compared as PEP 503
normalises names (case, and runs of ``-``, ``_``, ``.``): ``lensengine_Thug.Glasses:x`` is
``lensengine-thug-glasses:x``. A source that is no distribution (a plugin passed in by a test, the user's lens
folder) is addressed by its own name, spaces written as ``-``: ``user-lens-folder:toon``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from lensengine.errors import LensEngineError
from lensengine.lens import LensSpec


def normalise(qualifier: str) -> str:
    """A distribution name as PEP 503 normalises it (spaces too, for sources that are no distribution)."""
    return re.sub(r"[-_.\s]+", "-", qualifier).lower()


def qualified_name(qualifier: str, name: str) -> str:
    """``dist:name`` as it is shown: the distribution as written, spaces (never in a distribution) as ``-``."""
    shown = re.sub(r"\s+", "-", qualifier.strip())
    return f"{shown}:{name}"


@dataclass(frozen=True)
class Offer:
    """One lens as a source offers it: the spec (``plugin`` filled in) and the distribution (or source) behind it."""

    spec: LensSpec
    qualifier: str

    @property
    def qualified(self) -> str:
        return qualified_name(self.qualifier, self.spec.name)

    def who(self) -> str:
        plugin = self.spec.plugin or "no plugin"
        return self.qualifier if plugin == self.qualifier else f"{self.qualifier} (plugin {plugin})"


@dataclass(frozen=True)
class LensClash:
    """A lens name offered by more than one distribution: none of them keeps the plain name."""

    name: str
    offers: tuple[Offer, ...]

    def choices(self) -> str:
        return " or ".join(f"--lens {offer.qualified}" for offer in self.offers)

    def report(self) -> str:
        """The clash reported at start-up and by ``lensengine lenses`` / ``doctor``: one line naming both."""
        who = " and ".join(offer.who() for offer in self.offers)
        return f"lens name {self.name!r} is offered by {who}; neither runs by that name: choose {self.choices()}"

    def ambiguous(self) -> LensEngineError:
        """The error for ``--lens NAME`` when NAME clashes: one line listing the ``dist:name`` choices."""
        who = " and ".join(offer.who() for offer in self.offers)
        return LensEngineError(f"lens {self.name!r} is ambiguous: {who} both offer it; choose {self.choices()}")


@dataclass
class LensNames:
    """The lenses by unique name (plain, or ``dist:name`` where the plain name clashes), and how to find one."""

    by_name: dict[str, LensSpec] = field(default_factory=dict)
    qualified: dict[str, str] = field(default_factory=dict)  # unique name -> dist:name
    clashes: list[LensClash] = field(default_factory=list)
    duplicates: list[tuple[Offer, Offer]] = field(default_factory=list)  # (kept, dropped): same name, same source
    _addresses: dict[str, str] = field(default_factory=dict)  # normalised dist:name -> unique name

    def find(self, name: str) -> LensSpec | None:
        """The lens ``name`` (a unique name or any lens's ``dist:name``); None when there is none. A plain name
        that clashes raises the one-line LensEngineError that lists the choices."""
        if name in self.by_name:
            return self.by_name[name]
        qualifier, colon, lens = name.partition(":")
        if colon and (unique := self._addresses.get(f"{normalise(qualifier)}:{lens}")) is not None:
            return self.by_name[unique]
        for clash in self.clashes:
            if clash.name == name:
                raise clash.ambiguous()
        return None


def unique_names(offers: Iterable[Offer]) -> LensNames:
    """The offered lenses under unique names. Offers of one name from different sources all take their
    ``dist:name`` and make a LensClash; a second offer of a name from the same source is a duplicate, dropped."""
    grouped: dict[str, list[Offer]] = {}
    names = LensNames()
    for offer in offers:
        group = grouped.setdefault(offer.spec.name, [])
        same = next((kept for kept in group if normalise(kept.qualifier) == normalise(offer.qualifier)), None)
        if same is not None:
            names.duplicates.append((same, offer))
            continue
        group.append(offer)
    for name, group in grouped.items():
        if len(group) > 1:
            names.clashes.append(LensClash(name, tuple(sorted(group, key=lambda offer: normalise(offer.qualifier)))))
        for offer in group:
            unique = offer.qualified if len(group) > 1 else name
            names.by_name[unique] = replace(offer.spec, name=unique) if unique != name else offer.spec
            names.qualified[unique] = offer.qualified
            names._addresses[f"{normalise(offer.qualifier)}:{name}"] = unique
    return names
