"""Valid packs: write, load, zip and load again; the cache; what a LensPack holds."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import tomllib
from safetensors.numpy import load_file

from lensengine.packs import LensPack, LensSpec, PackError, load_pack, write_pack, zip_pack
from lensengine.util.files import file_sha256


def test_folder_round_trip(pack_folder: Path, pack_fields: dict, model_files: dict[str, Path]) -> None:
    pack = load_pack(pack_folder)
    assert isinstance(pack, LensPack)
    assert pack.root == pack_folder.resolve()
    assert pack.spec_fields() == pack_fields
    assert isinstance(pack, LensSpec)
    assert set(pack.files) == {"onnx_fp32", "safetensors"}
    for key, source in model_files.items():
        assert pack.file(key) == pack.root / {"onnx_fp32": "model.onnx", "safetensors": "model.safetensors"}[key]
        assert pack.files[key].sha256 == file_sha256(source)
        assert pack.file(key).read_bytes() == source.read_bytes()


def test_provenance_nesting_survives(pack_folder: Path) -> None:
    provenance = load_pack(pack_folder).provenance
    assert provenance["quality"]["per_face"] == {"astronaut": 22.1}
    assert provenance["data"]["photos"] == ["astronaut", "grace_hopper"]
    assert "[provenance.quality.per_face]" in (pack_folder / "lens.toml").read_text()


def test_pack_files_are_usable(pack_folder: Path) -> None:
    pack = load_pack(pack_folder)
    session = onnxruntime.InferenceSession(str(pack.file("onnx_fp32")), providers=["CPUExecutionProvider"])
    crops = np.zeros((2, 3, 32, 32), np.float32)
    assert session.run(None, {"input": crops})[0].shape == (2, 3, 32, 32)
    assert load_file(str(pack.file("safetensors")))["weight"].shape == (3, 3, 1, 1)


def test_missing_optional_file_is_a_clear_error(pack_folder: Path) -> None:
    with pytest.raises(PackError, match=r"lens pack toon: has no 'onnx_fp16' file; .*fp16=True"):
        load_pack(pack_folder).file("onnx_fp16")
    with pytest.raises(PackError, match="file keys are onnx_fp32, onnx_fp16, safetensors"):
        load_pack(pack_folder).file("weights")


def test_zip_round_trip(pack_folder: Path, tmp_path: Path, cache_dir: Path) -> None:
    zipped = zip_pack(pack_folder, tmp_path / "out" / "toon.zip")
    with zipfile.ZipFile(zipped) as archive:
        assert sorted(archive.namelist()) == ["lens.toml", "model.onnx", "model.safetensors"]
    pack, original = load_pack(zipped), load_pack(pack_folder)
    assert pack.root == (cache_dir / "packs" / file_sha256(zipped)).resolve()
    assert pack == original.model_copy(update={"root": pack.root, "files": pack.files})
    assert pack != original
    assert {key: f.sha256 for key, f in pack.files.items()} == {key: f.sha256 for key, f in original.files.items()}


def test_zipping_twice_gives_the_same_bytes(pack_folder: Path, tmp_path: Path) -> None:
    first = zip_pack(pack_folder, tmp_path / "a.zip")
    second = zip_pack(pack_folder, tmp_path / "b.zip")
    assert first.read_bytes() == second.read_bytes()


def test_cached_zip_is_reused(pack_folder: Path, tmp_path: Path, cache_dir: Path) -> None:
    zipped = zip_pack(pack_folder, tmp_path / "toon.zip")
    first = load_pack(zipped)
    marker = first.root / "kept.txt"
    marker.write_text("the cache folder was not replaced")
    assert load_pack(zipped).root == first.root
    assert marker.exists()
    assert [p.name for p in (cache_dir / "packs").iterdir()] == [first.root.name]  # no staging folders left


def test_cached_copy_that_was_altered_is_extracted_again(pack_folder: Path, tmp_path: Path) -> None:
    zipped = zip_pack(pack_folder, tmp_path / "toon.zip")
    cached = load_pack(zipped).file("onnx_fp32")
    cached.write_bytes(cached.read_bytes() + b"\0")
    pack = load_pack(zipped)
    assert pack.file("onnx_fp32").read_bytes() == (pack_folder / "model.onnx").read_bytes()


def test_zip_of_a_folder_with_the_pack_inside_one_top_folder(pack_folder: Path, tmp_path: Path) -> None:
    zipped = tmp_path / "by_hand.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("toon/", "")
        for file in pack_folder.iterdir():
            archive.write(file, f"toon/{file.name}")
    pack = load_pack(zipped)
    assert pack.name == "toon"
    assert (pack.root / "lens.toml").is_file()


def test_write_pack_into_its_own_folder_and_again(pack_folder: Path, pack_fields: dict) -> None:
    pack = load_pack(pack_folder)
    files = {key: f.path for key, f in pack.files.items()}  # the pack's own files: no copy onto themselves
    pack_fields["description"] = "second version"
    write_pack(pack_folder, LensSpec(**pack_fields), files)
    assert load_pack(pack_folder).description == "second version"


def test_superres_and_frame_packs(model_files: dict[str, Path], pack_fields: dict, tmp_path: Path) -> None:
    pack_fields.update(family="superres", kind="frame", scale=4, normalisation="unit", template="none", margin=0)
    pack = load_pack(write_pack(tmp_path / "sr", LensSpec(**pack_fields), model_files))
    assert (pack.scale, pack.kind, pack.template, pack.margin) == (4, "frame", "none", 0.0)
    assert isinstance(pack.margin, float)


def test_provenance_paths_are_made_portable(tmp_path, monkeypatch):
    from lensengine.packs.write import portable_paths

    monkeypatch.chdir(tmp_path)
    inside, outside = str(tmp_path / "runs" / "faces"), "/tmp/somewhere/run7/faces"
    assert portable_paths({"data": {"faces": inside, "more": [outside]}, "steps": 3, "note": "a/b"}) == {
        "data": {"faces": "runs/faces", "more": [".../run7/faces"]},
        "steps": 3,
        "note": "a/b",
    }


def test_lens_toml_as_written(pack_folder: Path, pack_fields: dict) -> None:
    document = tomllib.loads((pack_folder / "lens.toml").read_text(encoding="utf-8"))
    assert list(document) == [
        "schema",
        "name",
        "family",
        "kind",
        "description",
        "outputs",
        "input",
        "align",
        "model",
        "files",
        "provenance",
    ]
    assert document["input"] == {"crop_size": 32, "scale": 1, "color_order": "RGB", "normalisation": "tanh"}
    assert document["align"] == {"template": "five_point", "margin": 0.35}
    assert document["model"] == {"arch": "unet", "config": pack_fields["config"]}
    assert set(document["files"]) == {"onnx_fp32", "safetensors"}


def test_numpy_numbers_and_tuples_in_provenance_are_written_plain(model_files, pack_fields, tmp_path: Path) -> None:
    pack_fields["provenance"] = {"psnr": np.float32(21.5), "steps": np.int64(1200), "size": (256, 256)}
    pack = load_pack(write_pack(tmp_path / "np", LensSpec(**pack_fields), model_files))
    assert pack.provenance == {"psnr": 21.5, "steps": 1200, "size": [256, 256]}
    assert type(pack.provenance["steps"]) is int


SHIPPED_MANIFESTS = sorted(Path(__file__).parents[2].glob("plugins/*/lensengine_*/packs/*/lens.toml"))


@pytest.mark.parametrize("manifest", SHIPPED_MANIFESTS, ids=lambda path: path.parent.name)
def test_shipped_packs_load_unchanged(manifest: Path) -> None:
    """The packs the plugins ship were written before the schema moved to pydantic (``config`` inline)."""
    pack = load_pack(manifest.parent)
    document = tomllib.loads(manifest.read_text(encoding="utf-8"))
    assert pack.spec_fields() == {
        **{key: document[key] for key in ("name", "family", "kind", "description", "provenance")},
        "outputs": document.get("outputs", "rgb"),  # packs from before the field are colour-only
        **document["input"],
        **document["align"],
        **document["model"],
    }
    assert {key: f.sha256 for key, f in pack.files.items()} == {k: e["sha256"] for k, e in document["files"].items()}


def test_the_repository_ships_packs() -> None:
    assert len(SHIPPED_MANIFESTS) >= 5
