"""What load_pack checks beyond the hashes: the safetensors header, and that model.arch names a known network.

A corrupt file whose sha256 in lens.toml was updated to match (someone re-hashed it, or the exporter wrote junk)
passes the hash check; it must still be refused at load, in one line naming the file and the fix.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lensengine.packs import PackError, load_pack, zip_pack
from lensengine.packs.manifest import ARCHITECTURE_NAMES
from lensengine.packs.safetensors_header import safetensors_problem
from lensengine.util.files import file_sha256


def rewrite(folder: Path, edit_manifest, name: str, data: bytes) -> None:
    """Replace the pack's file ``name`` with ``data`` and update its sha256 in lens.toml to match."""
    (folder / name).write_bytes(data)
    digest = file_sha256(folder / name)
    key = {"model.safetensors": "safetensors", "model.onnx": "onnx_fp32"}[name]
    edit_manifest(folder, lambda d: d["files"][key].update(sha256=digest))


def header(tensors: dict) -> bytes:
    text = json.dumps(tensors).encode()
    return struct.pack("<Q", len(text)) + text


def load_error(path: Path) -> str:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


GOOD = {"weight": {"dtype": "F32", "shape": [3, 3, 1, 1], "data_offsets": [0, 36]}}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (os.urandom(4096), "its header length says"),  # random bytes: a huge header length ("header too large")
        (b"\x01\x00", "it is 2 bytes long, too short to hold the 8-byte header length"),
        (header(GOOD)[:20], "its header length says 76 bytes but only 12 follow"),  # truncated in the header
        (header(GOOD) + bytes(20), "tensor 'weight' lies at bytes 0..36, outside the 20 bytes of data"),  # truncated
        (struct.pack("<Q", 4) + b"{[}]" + bytes(36), "its header is not JSON"),
        (header([1, 2]), "its header is not a JSON object"),
        (header({"weight": {**GOOD["weight"], "shape": [3, 3, 2]}}) + bytes(36), "takes 36 bytes, not the 72 its F32"),
        (header(GOOD) + bytes(40), "its tensors take 36 bytes but 40 follow the header"),
    ],
)
def test_corrupt_safetensors_with_a_matching_sha256_is_refused(pack_folder, edit_manifest, data, problem) -> None:
    rewrite(pack_folder, edit_manifest, "model.safetensors", data)
    message = load_error(pack_folder)
    assert message.startswith(f"lens pack 'toon' at {pack_folder}: 'model.safetensors' (files.safetensors) is not a ")
    assert problem in message and message.endswith("; export the pack again")


def test_a_zipped_corrupt_pack_is_refused_too(pack_folder, edit_manifest, tmp_path) -> None:
    rewrite(pack_folder, edit_manifest, "model.safetensors", b"\xff" * 64)
    # zip_pack verifies the folder first, so this zip is written by hand from the same files
    zipped = tmp_path / "toon.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for file in sorted(pack_folder.iterdir()):
            archive.write(file, file.name)
    message = load_error(zipped)
    assert message.startswith(f"lens pack 'toon' at {zipped}: 'model.safetensors' (files.safetensors) is not a ")


def test_a_good_file_has_no_problem(pack_folder) -> None:
    assert safetensors_problem(pack_folder / "model.safetensors") is None
    assert load_pack(pack_folder).file("safetensors").name == "model.safetensors"
    assert zip_pack(pack_folder, pack_folder.parent / "toon.zip").is_file()


def test_the_header_check_needs_no_torch() -> None:
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['safetensors'] = None\n"
        "import lensengine.packs.load, lensengine.packs.safetensors_header\n"
        "print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def test_an_unknown_arch_is_refused_at_load(pack_folder, edit_manifest) -> None:
    edit_manifest(pack_folder, lambda d: d["model"].update(arch="vgg16"))
    message = load_error(pack_folder)
    assert message == (
        f"lens pack 'toon' at {pack_folder}: field 'model.arch' in lens.toml is 'vgg16', which lensengine.nets does "
        f"not know (it knows {', '.join(ARCHITECTURE_NAMES)}); export the pack again from one of those networks"
    )


def test_the_torch_free_names_are_the_network_registry() -> None:
    pytest.importorskip("torch")
    from lensengine.nets import ARCHITECTURES

    assert ARCHITECTURE_NAMES == tuple(ARCHITECTURES)
