"""``--superres auto`` uses an SR pack only on evidence: its measured gain over bicubic on held-out images."""

from __future__ import annotations

import numpy as np
import pytest

from lensengine.compose.superres import MIN_AUTO_GAIN_DB, measured_gain_db, worth_it_for_auto
from lensengine.lenses.catalogue import resolve_superres
from lensengine.lenses.plugins import load_plugins
from lensengine.packs import LensSpec, load_pack, write_pack


def pack_with_gain(shipped_pack, folder, name, gain):
    files = {key: entry.path for key, entry in shipped_pack.files.items()}
    quality = {} if gain is None else {"quality": {"psnr_gain_db": gain}}
    return load_pack(
        write_pack(folder, LensSpec(**{**shipped_pack.spec_fields(), "name": name, "provenance": quality}), files)
    )


class TestEvidence:
    def test_the_gain_is_read_from_the_provenance(self, shipped_pack, tmp_path):
        assert measured_gain_db(pack_with_gain(shipped_pack, tmp_path / "a", "a", 2.25)) == 2.25
        assert measured_gain_db(pack_with_gain(shipped_pack, tmp_path / "b", "b", None)) is None

    def test_only_a_gain_at_the_threshold_or_above_is_worth_it(self, shipped_pack, tmp_path):
        assert worth_it_for_auto(pack_with_gain(shipped_pack, tmp_path / "a", "a", MIN_AUTO_GAIN_DB))
        assert not worth_it_for_auto(pack_with_gain(shipped_pack, tmp_path / "b", "b", MIN_AUTO_GAIN_DB - 0.01))
        assert not worth_it_for_auto(pack_with_gain(shipped_pack, tmp_path / "c", "c", None))


class TestAuto:
    def test_the_shipped_pack_below_the_threshold_is_not_used_by_auto(self, shipped_pack):
        assert measured_gain_db(shipped_pack) < MIN_AUTO_GAIN_DB
        assert resolve_superres("auto", load_plugins()) is None

    def test_naming_the_pack_still_uses_it(self, shipped_pack):
        stage = resolve_superres(shipped_pack.name, load_plugins())
        assert stage is not None and stage.name == shipped_pack.name
        stage.close()

    def test_auto_takes_the_largest_measured_gain(self, shipped_pack, tmp_path):
        registry = load_plugins()
        good = pack_with_gain(shipped_pack, tmp_path / "good", "good", 1.6)
        better = pack_with_gain(shipped_pack, tmp_path / "better", "better", 2.4)
        registry.packs += [("test", good.root), ("test", better.root)]
        stage = resolve_superres("auto", registry)
        assert stage is not None and stage.name == "better"
        stage.close()


class TestDeferred:
    def test_nothing_is_loaded_until_a_face_needs_it(self, shipped_pack):
        stage = resolve_superres(shipped_pack.name, load_plugins())
        assert not stage.loaded and stage.scale == 2
        crops = np.zeros((1, shipped_pack.crop_size, shipped_pack.crop_size, 3), np.uint8)
        assert stage.upscale(crops).shape == (1, 2 * shipped_pack.crop_size, 2 * shipped_pack.crop_size, 3)
        assert stage.loaded
        stage.close()

    def test_a_backend_that_fails_fails_fast_afterwards(self, shipped_pack, monkeypatch):
        import lensengine.compose.superres as superres

        calls = []

        def broken(*args, **kwargs):
            calls.append(1)
            raise RuntimeError("no backend")

        monkeypatch.setattr(superres, "SuperResStage", broken)
        stage = superres.DeferredSuperResStage(shipped_pack)
        for _ in range(3):
            with pytest.raises(RuntimeError, match="no backend"):
                stage.upscale(np.zeros((1, 8, 8, 3), np.uint8))
        assert calls == [1]
