"""CycleGAN ResNet generator with an alpha head: shape contract, ranges, old weights, bad input, ONNX."""

from __future__ import annotations

import pytest
import torch

from lensengine.nets import NetworkError, build_network, network_config, parameter_count
from lensengine.nets.resnet_generator import ResnetGenerator
from lensengine.nets.unet import ColourAlphaHead, split_colour_alpha


class TestResnetGeneratorAlphaHead:
    def test_shape_contract_colour_then_alpha(self):
        net = ResnetGenerator(ngf=4, n_blocks=1, alpha=True).eval()
        with torch.no_grad():
            y = net(torch.rand(2, 3, 32, 48) * 2 - 1)
        assert y.shape == (2, 4, 32, 48)
        assert y.abs().max() <= 1.0  # colour through tanh, alpha as 2 * sigmoid - 1
        colour, alpha = split_colour_alpha(y)
        assert colour.shape == (2, 3, 32, 48) and alpha.shape == (2, 1, 32, 48)
        assert 0.0 <= alpha.min() and alpha.max() <= 1.0

    def test_head_is_the_units_shared_head_on_the_last_conv(self):
        net = ResnetGenerator(ngf=4, n_blocks=1, alpha=True).eval()
        assert isinstance(net.model[-1], ColourAlphaHead)
        captured = {}
        net.model[-2].register_forward_hook(lambda module, args, out: captured.setdefault("raw", out))
        with torch.no_grad():
            y = net(torch.rand(1, 3, 32, 32) * 2 - 1)
        raw = captured["raw"]
        torch.testing.assert_close(y[:, :3], torch.tanh(raw[:, :3]))
        torch.testing.assert_close(split_colour_alpha(y)[1], torch.sigmoid(raw[:, 3:]))

    def test_colour_only_weights_load_into_a_colour_only_net_and_config_says_alpha(self):
        assert network_config(ResnetGenerator(ngf=2, n_blocks=1, alpha=True))["alpha"] is True
        old = ResnetGenerator(ngf=2, n_blocks=1)
        assert network_config(old)["alpha"] is False
        config = {k: v for k, v in network_config(old).items() if k != "alpha"}  # as packs before alpha stored it
        rebuilt = build_network("resnet_generator", **config)
        rebuilt.load_state_dict(old.state_dict())  # strict: the same keys and shapes
        x = torch.rand(1, 3, 16, 16) * 2 - 1
        with torch.no_grad():
            torch.testing.assert_close(rebuilt.eval()(x), old.eval()(x))
        with_alpha = build_network("resnet_generator", **{**network_config(old), "alpha": True})
        assert with_alpha.model[-2].weight.shape[0] == 4  # Conv2d: (out, in, k, k)
        assert parameter_count(with_alpha) - parameter_count(old) == 2 * 7 * 7 + 1  # one more 7x7 filter and bias

    def test_gradients_reach_every_parameter(self):
        net = ResnetGenerator(ngf=2, n_blocks=1, alpha=True).train()
        net(torch.rand(2, 3, 16, 16) * 2 - 1).mean().backward()
        assert all(p.grad is not None for p in net.parameters())

    def test_bad_alpha_option(self):
        with pytest.raises(NetworkError, match="alpha"):
            ResnetGenerator(ngf=2, n_blocks=1, alpha="yes")

    def test_onnx_export_matches_torch(self, onnx_and_torch):
        net = ResnetGenerator(ngf=2, n_blocks=1, alpha=True).eval()
        out, expected = onnx_and_torch(net, torch.rand(2, 3, 32, 32) * 2 - 1)
        assert out.shape == (2, 4, 32, 32)
        assert abs(out - expected).max() < 1e-4
