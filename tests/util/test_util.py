"""The shared cache folder, hashes and verified downloads (file:// URLs: no network)."""

from __future__ import annotations

import hashlib

import pytest

from lensengine.errors import LensEngineError
from lensengine.util.cache import cache_dir
from lensengine.util.files import download_verified, file_sha256, has_hash, install_atomically


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LENSENGINE_CACHE_DIR", str(tmp_path))
    assert cache_dir("engines") == tmp_path / "engines"
    monkeypatch.delenv("LENSENGINE_CACHE_DIR")
    assert "lensengine" in cache_dir().parts and cache_dir("vgg").name == "vgg"


def test_hashes_match_hashlib_and_prefixes(tmp_path):
    data = bytes(range(256)) * 9000  # several read chunks
    path = tmp_path / "blob"
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    assert file_sha256(path) == digest
    assert has_hash(path, digest) and has_hash(path, digest[:8].upper())
    assert not has_hash(path, "0" * 64) and not has_hash(path, "") and not has_hash(tmp_path / "missing", digest)


def test_download_verified_installs_only_the_right_bytes(tmp_path):
    source = tmp_path / "model.bin"
    source.write_bytes(b"weights" * 1000)
    target = tmp_path / "cache" / "model.bin"
    assert download_verified(source.as_uri(), target, file_sha256(source), what="model", fix="fix it") == target
    assert target.read_bytes() == source.read_bytes()

    other = tmp_path / "cache" / "other.bin"
    with pytest.raises(LensEngineError, match="wrong sha256") as error:
        download_verified(source.as_uri(), other, "0" * 64, what="model", fix="fetch it by hand")
    assert "\n" not in str(error.value) and "fetch it by hand" in str(error.value)
    assert sorted(p.name for p in other.parent.iterdir()) == ["model.bin"]  # no partial file left


def test_download_verified_unreachable_url_is_one_line(tmp_path):
    with pytest.raises(LensEngineError, match="could not download the model") as error:
        download_verified((tmp_path / "absent").as_uri(), tmp_path / "x", "0" * 64, what="model", fix="retry")
    assert "\n" not in str(error.value)


def test_install_atomically_copies(tmp_path):
    (tmp_path / "a").write_bytes(b"abc")
    install_atomically(tmp_path / "a", tmp_path / "sub" / "b")
    assert (tmp_path / "sub" / "b").read_bytes() == b"abc"
