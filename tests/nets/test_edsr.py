"""EDSR: scale contracts, no batch norm, residual scaling, bad input, knobs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lensengine.nets import NetworkError, parameter_count
from lensengine.nets.edsr import EDSR


class TestEDSR:
    def test_smoke(self):
        y = EDSR(width=8, n_blocks=2)(torch.rand(2, 3, 10, 12))
        assert y.shape == (2, 3, 20, 24)
        assert torch.isfinite(y).all()

    @pytest.mark.parametrize(("scale", "shuffles"), [(2, [2]), (3, [3]), (4, [2, 2])])
    def test_scale_contract(self, scale, shuffles):
        net = EDSR(scale=scale, width=8, n_blocks=1)
        assert net(torch.rand(1, 3, 16, 16)).shape == (1, 3, 16 * scale, 16 * scale)
        assert [m.upscale_factor for m in net.modules() if isinstance(m, nn.PixelShuffle)] == shuffles

    def test_no_batch_norm(self):
        assert not any(isinstance(m, nn.BatchNorm2d) for m in EDSR(width=8, n_blocks=2).modules())

    def test_residual_scale_scales_each_block(self):
        # Same weights: with res_scale 0.1 the output sits much closer to the no-block path than with 1.0.
        full = EDSR(width=8, n_blocks=1)
        scaled = EDSR(width=8, n_blocks=1, res_scale=0.1)
        bypass = EDSR(width=8, n_blocks=1, res_scale=1e-9)
        scaled.load_state_dict(full.state_dict())
        bypass.load_state_dict(full.state_dict())
        x = torch.rand(1, 3, 16, 16)
        with torch.no_grad():
            reference = bypass(x)
            ratio = (scaled(x) - reference).abs().mean() / (full(x) - reference).abs().mean()
        assert ratio == pytest.approx(0.1, rel=0.05)

    def test_each_block_adds_two_convs(self):
        width = 16
        added = parameter_count(EDSR(width=width, n_blocks=3)) - parameter_count(EDSR(width=width, n_blocks=2))
        assert added == 2 * (9 * width * width + width)

    def test_baseline_size(self):
        assert parameter_count(EDSR(scale=2)) == 1_369_859  # EDSR-baseline x2: the paper's 1.37 M

    def test_res_scale_is_stored_as_float(self):
        assert EDSR(width=8, n_blocks=1, res_scale=1).config["res_scale"] == 1.0
        assert isinstance(EDSR(width=8, n_blocks=1, res_scale=1).config["res_scale"], float)

    def test_wrong_channel_count_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="3 input channels, got 2"):
            EDSR(width=8, n_blocks=1)(torch.rand(1, 2, 16, 16))

    @pytest.mark.parametrize(
        "bad", [{"scale": 5}, {"width": 0}, {"n_blocks": -1}, {"res_scale": 0}, {"res_scale": "0.1"}]
    )
    def test_bad_knobs(self, bad):
        with pytest.raises(NetworkError, match=next(iter(bad))):
            EDSR(**bad)
