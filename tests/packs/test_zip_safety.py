"""Zip packs that try to write outside the cache, hide links, or are not packs: refused, nothing left behind."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pytest

from lensengine.packs import PackError, load_pack, zip_pack


def zip_with(pack_folder: Path, zip_path: Path, extra: dict[str, bytes], keep_manifest: bool = True) -> Path:
    """The pack's files at the zip's top plus ``extra`` entries (name -> bytes)."""
    with zipfile.ZipFile(zip_path, "w") as archive:
        for file in sorted(pack_folder.iterdir()):
            if keep_manifest or file.name != "lens.toml":
                archive.write(file, file.name)
        for name, data in extra.items():
            archive.writestr(name, data)
    return zip_path


def load_error(path: Path) -> str:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("lens pack ") and f"{path}: " in str(caught.value)
    return str(caught.value)


def nothing_left(cache_dir: Path) -> bool:
    """No extracted pack and no staging folder in the cache."""
    packs = cache_dir / "packs"
    return not packs.exists() or not any(packs.iterdir())


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("../evil.txt", "climbs out with '..'"),
        ("models/../../evil.txt", "climbs out with '..'"),
        ("/tmp/evil.txt", "is absolute"),
        ("..\\evil.txt", "uses a Windows drive or backslash"),
        ("C:/evil.txt", "uses a Windows drive or backslash"),
    ],
)
def test_zip_slip_entries_are_refused(pack_folder, tmp_path: Path, cache_dir: Path, entry: str, reason: str):
    zipped = zip_with(pack_folder, tmp_path / "slip.zip", {entry: b"owned"})
    message = load_error(zipped)
    assert f"zip entry {entry!r} {reason}" in message
    assert "so it would land outside the pack (zip-slip); refusing to extract" in message
    assert not (tmp_path / "evil.txt").exists() and not (cache_dir / "evil.txt").exists()
    assert nothing_left(cache_dir)


def test_symlink_entry_is_refused(pack_folder, tmp_path: Path, cache_dir: Path) -> None:
    zipped = zip_with(pack_folder, tmp_path / "link.zip", {})
    with zipfile.ZipFile(zipped, "a") as archive:
        link = zipfile.ZipInfo("weights.onnx")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "../../../../etc/passwd")
    assert "zip entry 'weights.onnx' is a symbolic link; packs hold plain files" in load_error(zipped)
    assert nothing_left(cache_dir)


def test_duplicate_entries_are_refused(pack_folder, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name this test writes on purpose
        zipped = zip_with(pack_folder, tmp_path / "twice.zip", {"model.onnx": b"another model"})
    assert "zip holds two entries named 'model.onnx'" in load_error(zipped)


@pytest.mark.parametrize(
    "extra",
    [{}, {"a/lens.toml": b"schema = 1"}, {"a/lens.toml": b"schema = 1", "b/lens.toml": b"schema = 1"}],
)
def test_zip_without_lens_toml_at_its_top(pack_folder, tmp_path: Path, cache_dir: Path, extra: dict) -> None:
    zipped = zip_with(pack_folder, tmp_path / "bare.zip", extra, keep_manifest=False)
    assert "zip holds no lens.toml at its top or in its one top folder: not a lens pack" in load_error(zipped)
    assert nothing_left(cache_dir)


def test_corrupt_entry_leaves_no_cache(pack_folder, tmp_path: Path, cache_dir: Path) -> None:
    zipped = tmp_path / "stored.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_STORED) as archive:
        for file in sorted(pack_folder.iterdir()):
            archive.write(file, file.name)
    data = bytearray(zipped.read_bytes())
    model = (pack_folder / "model.onnx").read_bytes()
    start = bytes(data).index(model)
    data[start + len(model) // 2] ^= 0xFF  # the stored model bytes change, its CRC-32 no longer matches
    zipped.write_bytes(bytes(data))
    assert "zip entry 'model.onnx' is corrupt (Bad CRC-32" in load_error(zipped)
    assert nothing_left(cache_dir)


def test_tampered_file_inside_a_valid_zip_is_not_cached(pack_folder, tmp_path: Path, cache_dir: Path) -> None:
    model = pack_folder / "model.onnx"
    model.write_bytes(model.read_bytes() + b"extra")
    zipped = zip_with(pack_folder, tmp_path / "tampered.zip", {})
    assert "tampered or corrupt: 'model.onnx' has sha256" in load_error(zipped)
    assert nothing_left(cache_dir)


def test_a_file_named_zip_that_is_not_one(tmp_path: Path) -> None:
    fake = tmp_path / "toon.zip"
    fake.write_bytes(b"PK but not really a zip")
    expected = "is not a lens pack: expected a folder holding lens.toml or a .zip of one"
    assert load_error(fake) == f"lens pack {fake}: {expected}"


def test_zip_pack_needs_a_verified_folder(pack_folder, tmp_path: Path) -> None:
    zipped = zip_pack(pack_folder, tmp_path / "toon.zip")
    with pytest.raises(PackError, match="is not a folder; zip_pack zips a pack folder"):
        zip_pack(zipped, tmp_path / "again.zip")
    (pack_folder / "model.safetensors").write_bytes(b"changed")
    with pytest.raises(PackError, match="tampered or corrupt"):
        zip_pack(pack_folder, tmp_path / "bad.zip")
    assert not (tmp_path / "bad.zip").exists()


def test_zip_bomb_is_refused_before_extraction(pack_folder, tmp_path: Path, cache_dir: Path, monkeypatch):
    import lensengine.packs.zip_cache as zip_cache

    monkeypatch.setattr(zip_cache, "MAX_UNPACKED_BYTES", 1_000_000)
    bomb = zip_with(pack_folder, tmp_path / "bomb.zip", {})
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("padding.bin", b"\0" * 2_000_000)  # compresses to ~2 kB
    assert "over the limits for a lens pack" in load_error(bomb)
    assert nothing_left(cache_dir)
