"""SRResNet: scale contracts, batch-norm residual blocks, bad input, knobs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lensengine.nets import NetworkError, parameter_count
from lensengine.nets.srresnet import SRResNet


class TestSRResNet:
    def test_smoke(self):
        y = SRResNet(width=8, n_blocks=2).eval()(torch.rand(2, 3, 10, 12))
        assert y.shape == (2, 3, 40, 48)
        assert torch.isfinite(y).all()

    @pytest.mark.parametrize(("scale", "stages"), [(2, 1), (4, 2)])
    def test_scale_contract_by_pixel_shuffle_x2_stages(self, scale, stages):
        net = SRResNet(scale=scale, width=8, n_blocks=1).eval()
        assert net(torch.rand(1, 3, 16, 16)).shape == (1, 3, 16 * scale, 16 * scale)
        shuffles = [m.upscale_factor for m in net.modules() if isinstance(m, nn.PixelShuffle)]
        assert shuffles == [2] * stages

    def test_batch_norm_trains_at_batch_one(self):
        net = SRResNet(scale=2, width=8, n_blocks=2).train()
        net(torch.rand(1, 3, 16, 16)).mean().backward()
        assert all(p.grad is not None for p in net.parameters())

    def test_each_block_adds_two_convs_two_batch_norms_and_a_prelu(self):
        width = 16
        added = parameter_count(SRResNet(width=width, n_blocks=3)) - parameter_count(SRResNet(width=width, n_blocks=2))
        assert added == 2 * (9 * width * width + width) + 2 * 2 * width + width

    def test_reference_size(self):
        assert 1.5e6 < parameter_count(SRResNet()) < 1.6e6  # the paper's 1.5 M at x4

    def test_wrong_channel_count_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="3 input channels, got 1"):
            SRResNet(width=8, n_blocks=1)(torch.rand(1, 1, 16, 16))

    @pytest.mark.parametrize("bad", [{"scale": 3}, {"width": 0}, {"n_blocks": 1.5}, {"channels": -3}])
    def test_bad_knobs(self, bad):
        with pytest.raises(NetworkError, match=next(iter(bad))):
            SRResNet(**bad)
