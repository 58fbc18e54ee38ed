"""find_superres_packs: SR packs among the plugins' packs, others and broken ones left out."""

from __future__ import annotations

import logging

from lensengine.compose.superres import find_superres_packs
from lensengine.lenses.plugins import load_plugins


def test_picks_superres_packs_only(shipped_pack, shipped_pack_path, style_pack, rgb_pack, tmp_path, caplog):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "lens.toml").write_text("schema = 1\n")
    registry_packs = [
        ("superres", shipped_pack_path),
        ("other", style_pack.root),
        ("bad", broken),
        ("copy", rgb_pack.root),
    ]
    with caplog.at_level(logging.WARNING, logger="lensengine.compose.superres"):
        found = find_superres_packs(registry_packs)
    assert found == {shipped_pack.name: shipped_pack_path, "sr-rgb": rgb_pack.root}
    assert "bad" in caplog.text


def test_duplicate_names_keep_the_first(shipped_pack, shipped_pack_path, caplog):
    with caplog.at_level(logging.WARNING, logger="lensengine.compose.superres"):
        found = find_superres_packs([("first", shipped_pack_path), ("second", shipped_pack_path)])
    assert found == {shipped_pack.name: shipped_pack_path}
    assert "already provided" in caplog.text


def test_the_installed_plugin_ships_an_sr_pack(shipped_pack):
    registry = load_plugins()
    assert "superres" in registry.loaded
    assert shipped_pack.name in find_superres_packs(registry.packs)
