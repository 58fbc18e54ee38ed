"""``lensengine lenses``: every lens the installed plugins offer (by name and by ``dist:name``), the plugins
(distribution and version), lens names that more than one distribution offers, and the plugins that were blocked
or failed."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("lenses", help="list the installed lenses and the plugins that provide them")
    p.add_argument("--backend", default="auto", help="backend neural lenses would use (default auto)")
    p.set_defaults(handler=handle)


def format_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    return "\n".join(lines)


PLUGIN_HEADER = ("PLUGIN", "DISTRIBUTION", "VERSION", "LENSES", "PACKS")


def plugin_rows(registry, catalogue) -> list[tuple[str, ...]]:
    """(plugin, distribution, version, lenses offered, packs shipped) of every loaded plugin."""
    rows = []
    for name in registry.loaded:
        distribution, version = registry.distributions.get(name, ("not installed", "-"))
        lenses = sum(s.plugin == name for s in catalogue)
        packs = sum(plugin == name for plugin, _ in registry.packs)
        rows.append((name, distribution, version, str(lenses), str(packs)))
    return rows


def handle(args) -> int:
    from lensengine.lenses.catalogue import lens_catalogue
    from lensengine.lenses.plugins import PLUGINS_ENV, load_plugins

    registry = load_plugins()
    catalogue = lens_catalogue(registry, backend=args.backend)
    neural_backend = "-"
    if any(s.pack is not None for s in catalogue):
        from lensengine.inference import auto_choice

        neural_backend = auto_choice() if args.backend == "auto" else args.backend
    rows = [
        (s.name, catalogue.qualified(s), s.kind, s.plugin, neural_backend if s.pack is not None else "-", s.description)
        for s in catalogue
    ]
    header = ("NAME", "DIST:NAME", "KIND", "PLUGIN", "BACKEND", "DESCRIPTION")
    print(format_table(rows, header) if rows else "no lenses installed")
    if registry.loaded:
        print()
        print(format_table(plugin_rows(registry, catalogue), PLUGIN_HEADER))
    for clash in catalogue.clashes:
        print(f"name clash: {clash.report()}")
    for name in registry.blocked:
        print(f"blocked plugin {name}: not in {PLUGINS_ENV}")
    for failure in registry.failed:
        print(f"failed plugin {failure.plugin}: {failure.error}")
    return 0
