"""Every way a pack folder can be wrong fails with one PackError line that names the pack and the problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lensengine.packs import LensSpec, PackError, load_pack, write_pack


def load_error(path: Path) -> str:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("lens pack ")
    return message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(colour_order="RGB"), "unknown field 'colour_order'"),
        (lambda d: d["input"].update(crop=64), "unknown field 'input.crop'"),
        (lambda d: d["align"].update(marginn=0.3), "unknown field 'align.marginn'"),
        (lambda d: d["model"].update(weights="x"), "unknown field 'model.weights'"),
        (
            lambda d: d["files"].update(onnx_int8={"path": "model.onnx", "sha256": "0" * 64}),
            "unknown field 'files.onnx_int8'",
        ),
        (lambda d: d["files"]["onnx_fp32"].update(size=3), "unknown field 'files.onnx_fp32.size'"),
        (lambda d: d.pop("family"), "missing field 'family'"),
        (lambda d: d.pop("description"), "missing field 'description'"),
        (lambda d: d["input"].pop("normalisation"), "missing field 'input.normalisation'"),
        (lambda d: d.pop("align"), "missing field 'align'"),
        (lambda d: d["files"].pop("onnx_fp32"), "missing field 'files.onnx_fp32'"),
        (lambda d: d["files"]["safetensors"].pop("sha256"), "missing field 'files.safetensors.sha256'"),
        (lambda d: d.pop("schema"), "missing field 'schema'"),
        (lambda d: d["input"].update(crop_size="256"), "'input.crop_size' in lens.toml must be an integer, not str"),
        (lambda d: d["input"].update(crop_size=256.0), "'input.crop_size' in lens.toml must be an integer, not float"),
        (lambda d: d["align"].update(margin=True), "'align.margin' in lens.toml must be a number, not bool"),
        (lambda d: d.update(name=7), "'name' in lens.toml must be a string, not int"),
        (lambda d: d["model"].update(config=[1]), "'model.config' in lens.toml must be a table, not list"),
        (lambda d: d.update(input=3), "'input' in lens.toml must be a table, not int"),
        (lambda d: d.update(family="pix 2 pix"), "'family' in lens.toml must be 1-64 letters, digits, '_', '.', '-'"),
        (lambda d: d.update(family=""), "'family' in lens.toml must be 1-64 letters"),
        (lambda d: d.update(kind="body"), "'kind' in lens.toml must be 'face' or 'frame', not 'body'"),
        (lambda d: d["input"].update(color_order="rgb"), "'input.color_order' in lens.toml must be 'RGB' or 'BGR'"),
        (lambda d: d["input"].update(normalisation="minmax"), "'input.normalisation' in lens.toml must be 'tanh' or"),
        (lambda d: d["input"].update(crop_size=8), "'input.crop_size' in lens.toml must be within 16..2048, not 8"),
        (lambda d: d["input"].update(crop_size=4096), "must be within 16..2048, not 4096"),
        (lambda d: d["input"].update(scale=2), "'input.scale' must be 1 for a pix2pix pack"),
        (lambda d: d["align"].update(margin=-0.1), "'align.margin' in lens.toml must be within 0.0..2.0"),
        (lambda d: d["align"].update(template="none"), "face pack must be 'five_point'"),
        (lambda d: d.update(name="../toon"), "'name' in lens.toml must be 1-64 letters, digits, '_', '.', '-',"),
        (lambda d: d["model"].update(arch=""), "'model.arch' in lens.toml: String should have at least 1 character"),
        (lambda d: d.update(crop_size=64), "unknown field 'crop_size'"),  # a field of [input] at the top level
        (lambda d: d["align"].update(crop_size=64), "unknown field 'align.crop_size'"),  # ... or in another table
        (lambda d: d["files"]["onnx_fp32"].update(sha256="abc"), "'files.onnx_fp32.sha256' in lens.toml must be 64"),
        (lambda d: d.update(schema=2), "lens.toml has schema 2, this lensengine reads 1: upgrade it"),
        (lambda d: d.update(schema="1"), "field 'schema' in lens.toml must be 1, not '1'"),
    ],
)
def test_bad_manifest_fields(pack_folder: Path, edit_manifest, change, expected: str) -> None:
    edit_manifest(pack_folder, change)
    message = load_error(pack_folder)
    assert expected in message
    assert str(pack_folder) in message


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        (16, "'input.scale' in lens.toml must be within 1..8, not 16"),
        (1, "field 'input.scale' of a superres pack must be within 2..8, not 1"),
    ],
)
def test_superres_scale_range(pack_folder: Path, edit_manifest, scale: int, expected: str) -> None:
    edit_manifest(pack_folder, lambda d: (d.update(family="superres"), d["input"].update(scale=scale)))
    assert expected in load_error(pack_folder)


def test_family_is_an_open_identifier(pack_folder: Path, edit_manifest) -> None:
    edit_manifest(pack_folder, lambda d: d.update(family="my_own.trainer-2"))
    assert load_pack(pack_folder).family == "my_own.trainer-2"


def test_invalid_toml(pack_folder: Path) -> None:
    (pack_folder / "lens.toml").write_text('name = "toon"\nname = "again"\n')
    assert "lens.toml is not valid TOML" in load_error(pack_folder)


def test_manifest_that_is_not_utf8(pack_folder: Path) -> None:
    (pack_folder / "lens.toml").write_bytes('name = "caf\u00e9"\n'.encode("latin-1"))
    message = load_error(pack_folder)
    assert message.startswith(f"lens pack {pack_folder}: lens.toml is not valid TOML (") and "utf-8" in message


def test_tampered_byte(pack_folder: Path) -> None:
    model = pack_folder / "model.onnx"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0x01
    model.write_bytes(bytes(data))
    message = load_error(pack_folder)
    assert f"lens pack 'toon' at {pack_folder}: tampered or corrupt: 'model.onnx' has sha256" in message


def test_missing_file(pack_folder: Path) -> None:
    (pack_folder / "model.safetensors").unlink()
    assert "file 'model.safetensors' (files.safetensors) is missing" in load_error(pack_folder)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../outside.onnx", "climbs out with '..'"),
        ("sub/../../outside.onnx", "climbs out with '..'"),
        ("/etc/passwd", "is absolute"),
        ("C:/Windows/model.onnx", "uses a Windows drive or backslash"),
        ("..\\outside.onnx", "uses a Windows drive or backslash"),
    ],
)
def test_paths_that_escape_the_folder(pack_folder: Path, edit_manifest, path: str, reason: str) -> None:
    (pack_folder.parent / "outside.onnx").write_bytes((pack_folder / "model.onnx").read_bytes())
    edit_manifest(pack_folder, lambda d: d["files"]["onnx_fp32"].update(path=path))
    message = load_error(pack_folder)
    assert f"path {path!r} of files.onnx_fp32 {reason}" in message


def test_symlink_out_of_the_folder(pack_folder: Path, edit_manifest) -> None:
    outside = pack_folder.parent / "outside.onnx"
    outside.write_bytes((pack_folder / "model.onnx").read_bytes())
    os.symlink(outside, pack_folder / "linked.onnx")
    edit_manifest(pack_folder, lambda d: d["files"]["onnx_fp32"].update(path="linked.onnx"))
    assert "leads outside the pack folder through a symbolic link" in load_error(pack_folder)


def test_symlink_inside_the_folder_is_fine(pack_folder: Path, edit_manifest) -> None:
    (pack_folder / "weights").mkdir()
    (pack_folder / "model.onnx").rename(pack_folder / "weights" / "real.onnx")
    os.symlink(pack_folder / "weights" / "real.onnx", pack_folder / "model.onnx")
    assert load_pack(pack_folder).file("onnx_fp32") == pack_folder.resolve() / "model.onnx"


@pytest.mark.parametrize("make", ["empty folder", "text file", "missing"])
def test_not_a_pack_at_all(tmp_path: Path, make: str) -> None:
    path = tmp_path / "thing"
    if make == "empty folder":
        path.mkdir()
        expected = "is not a lens pack: no lens.toml in the folder"
    elif make == "text file":
        path.write_text("hello")
        expected = "is not a lens pack: expected a folder holding lens.toml or a .zip of one"
    else:
        expected = "does not exist; give the path of a pack folder or .zip"
    assert load_error(path) == f"lens pack {path}: {expected}"


def test_a_bad_spec_is_one_pack_error_line(pack_fields: dict) -> None:
    pack_fields["crop_size"] = 9000
    with pytest.raises(PackError) as caught:
        LensSpec(**pack_fields)
    assert str(caught.value) == "lens pack toon: field 'input.crop_size' in lens.toml must be within 16..2048, not 9000"
    pack_fields["crop_size"] = 32
    pack_fields.pop("kind")
    with pytest.raises(PackError, match="^lens pack toon: lens.toml is missing field 'kind'$"):
        LensSpec(**pack_fields)


def test_write_pack_refuses_bad_fields_before_writing(
    model_files: dict[str, Path], pack_fields: dict, tmp_path: Path
) -> None:
    spec = LensSpec(**pack_fields)
    with pytest.raises(PackError, match="'input.crop_size' in lens.toml must be within 16..2048, not 9000"):
        write_pack(tmp_path / "bad", spec.model_copy(update={"crop_size": 9000}), model_files)
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f, files: files.update(onnx_int8=files["onnx_fp32"]), "unknown file key 'onnx_int8'"),
        (lambda f, files: files.pop("onnx_fp32"), "missing field 'files.onnx_fp32'"),
        (lambda f, files: files.update(safetensors=Path("/nonexistent/x.safetensors")), "file for 'safetensors' not"),
        (
            lambda f, files: f["provenance"].update(started=object()),
            "field 'provenance' in lens.toml holds a object at 'started', which TOML cannot hold",
        ),
        (lambda f, files: f["provenance"]["data"].update(photos=[None]), "holds a NoneType at 'data.photos\\[0\\]'"),
        (lambda f, files: f["config"].update({3: "x"}), "field 'model.config' in lens.toml has the key 3; TOML keys"),
        (lambda f, files: f["provenance"].update(steps=2**64), "holds 18446744073709551616 at 'steps', beyond TOML"),
    ],
)
def test_write_pack_errors(model_files, pack_fields, tmp_path: Path, change, expected: str) -> None:
    change(pack_fields, model_files)
    with pytest.raises(PackError, match=expected):
        write_pack(tmp_path / "bad", LensSpec(**pack_fields), model_files)
    assert not (tmp_path / "bad").exists()
