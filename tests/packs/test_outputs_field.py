"""The manifest's ``outputs`` field: "rgb" (a new picture) or "rgba" (colour + alpha); old packs read as "rgb"."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib

from lensengine.packs import LensSpec, PackError, load_pack, write_pack


@pytest.mark.parametrize("outputs", ["rgb", "rgba"])
def test_round_trip_with_both_outputs(tmp_path: Path, model_files: dict, pack_fields: dict, outputs: str) -> None:
    folder = write_pack(tmp_path / "pack", LensSpec(**{**pack_fields, "outputs": outputs}), model_files)
    assert tomllib.loads((folder / "lens.toml").read_text())["outputs"] == outputs
    pack = load_pack(folder)
    assert pack.outputs == outputs
    assert pack.spec_fields() == {**pack_fields, "outputs": outputs}


def test_a_pack_without_the_field_is_rgb(pack_folder: Path, edit_manifest) -> None:
    edit_manifest(pack_folder, lambda document: document.pop("outputs"))
    assert "outputs" not in (pack_folder / "lens.toml").read_text()
    assert load_pack(pack_folder).outputs == "rgb"


def test_unknown_outputs_value_is_one_line(pack_folder: Path, edit_manifest) -> None:
    edit_manifest(pack_folder, lambda document: document.update(outputs="rgbx"))
    with pytest.raises(PackError, match=r"field 'outputs' in lens.toml must be 'rgb' or 'rgba', not 'rgbx'"):
        load_pack(pack_folder)


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "frame", "template": "none"},
        {"family": "superres", "scale": 2},
    ],
)
def test_rgba_only_for_face_lenses(pack_fields: dict, change: dict) -> None:
    with pytest.raises(PackError, match="'outputs' may be 'rgba' only for a face pack"):
        LensSpec(**{**pack_fields, **change, "outputs": "rgba"})


def test_an_old_rgb_pack_still_runs_as_a_colour_lens(pack_folder: Path, edit_manifest) -> None:
    import numpy as np

    from lensengine.lenses.neural import NeuralLens

    edit_manifest(pack_folder, lambda document: document.pop("outputs"))  # as packs written before the field
    lens = NeuralLens(pack_folder, backend="onnxruntime")
    crops = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    out = lens.apply(crops, np.zeros((2, 478, 2), np.float32))
    assert out.shape == (2, 32, 32, 3) and out.dtype == np.uint8
    lens.close()
