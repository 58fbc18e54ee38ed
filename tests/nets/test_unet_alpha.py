"""pix2pix U-Net with an alpha head: shape contract, ranges, composite, old weights, bad input, ONNX."""

from __future__ import annotations

import pytest
import torch

from lensengine.nets import NetworkError, build_network, network_config
from lensengine.nets.unet import UNetGenerator, composite, split_colour_alpha


class TestUNetAlphaHead:
    def test_smoke(self):
        y = UNetGenerator(ngf=4, num_downs=5, alpha=True).eval()(torch.rand(2, 3, 32, 32) * 2 - 1)
        assert y.shape == (2, 4, 32, 32)
        assert torch.isfinite(y).all()

    @pytest.mark.parametrize(("num_downs", "size"), [(7, 128), (8, 256)])
    def test_shape_contract_colour_then_alpha(self, num_downs, size):
        net = UNetGenerator(ngf=2, num_downs=num_downs, alpha=True).eval()
        with torch.no_grad():
            y = net(torch.rand(3, 3, size, size) * 2 - 1)
        assert y.shape == (3, 4, size, size)
        assert y.abs().max() <= 1.0  # colour through tanh, alpha as 2 * sigmoid - 1
        colour, alpha = split_colour_alpha(y)
        assert colour.shape == (3, 3, size, size) and alpha.shape == (3, 1, size, size)
        assert 0.0 <= alpha.min() and alpha.max() <= 1.0

    def test_alpha_is_a_sigmoid_of_the_last_channel(self):
        net = UNetGenerator(ngf=2, num_downs=5, alpha=True).eval()
        captured = {}
        net.up[0][1].register_forward_hook(lambda module, args, out: captured.setdefault("raw", out))
        with torch.no_grad():
            y = net(torch.rand(1, 3, 32, 32) * 2 - 1)
        raw = captured["raw"]
        torch.testing.assert_close(y[:, :3], torch.tanh(raw[:, :3]))
        torch.testing.assert_close(split_colour_alpha(y)[1], torch.sigmoid(raw[:, 3:]))

    def test_composite_is_exact_where_alpha_is_zero_and_colour_where_one(self):
        source = torch.rand(2, 3, 8, 8) * 2 - 1
        colour = torch.rand(2, 3, 8, 8) * 2 - 1
        alpha = torch.zeros(2, 1, 8, 8)
        alpha[..., :4] = 1.0
        shown = composite(source, torch.cat([colour, alpha * 2 - 1], dim=1))
        assert torch.equal(shown[..., 4:], source[..., 4:])
        torch.testing.assert_close(shown[..., :4], colour[..., :4])

    def test_colour_only_weights_load_into_a_colour_only_net_and_config_says_alpha(self):
        assert network_config(UNetGenerator(ngf=2, num_downs=5, alpha=True))["alpha"] is True
        old = UNetGenerator(ngf=2, num_downs=5)
        assert network_config(old)["alpha"] is False
        config = {k: v for k, v in network_config(old).items() if k != "alpha"}  # as packs before alpha stored it
        rebuilt = build_network("unet", **config)
        rebuilt.load_state_dict(old.state_dict())
        with_alpha = build_network("unet", **{**network_config(old), "alpha": True})
        assert with_alpha.up[0][1].weight.shape[1] == 4  # ConvTranspose2d: (in, out, k, k)

    def test_gradients_reach_every_parameter(self):
        net = UNetGenerator(ngf=2, num_downs=5, alpha=True).train()
        y = net(torch.rand(2, 3, 32, 32) * 2 - 1)
        y.mean().backward()
        assert all(p.grad is not None for p in net.parameters())

    def test_bad_alpha_option(self):
        with pytest.raises(NetworkError, match="alpha"):
            UNetGenerator(ngf=2, num_downs=5, alpha="yes")

    def test_onnx_export_matches_torch(self, onnx_and_torch):
        net = UNetGenerator(ngf=2, num_downs=5, alpha=True).eval()
        out, expected = onnx_and_torch(net, torch.rand(2, 3, 32, 32) * 2 - 1)
        assert out.shape == (2, 4, 32, 32)
        assert abs(out - expected).max() < 1e-4
