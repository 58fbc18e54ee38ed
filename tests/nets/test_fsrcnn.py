"""FSRCNN: scale contracts, knob effects, bad input."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lensengine.nets import NetworkError, parameter_count
from lensengine.nets.fsrcnn import FSRCNN


class TestFSRCNN:
    def test_smoke(self):
        y = FSRCNN(d=8, s=4, m=1)(torch.rand(2, 3, 10, 12))
        assert y.shape == (2, 3, 20, 24)
        assert torch.isfinite(y).all()

    @pytest.mark.parametrize("scale", [2, 3, 4])
    def test_scale_contract(self, scale):
        y = FSRCNN(scale=scale, d=8, s=4, m=1)(torch.rand(1, 3, 16, 16))
        assert y.shape == (1, 3, 16 * scale, 16 * scale)

    def test_prelu_after_every_conv_but_the_deconvolution(self):
        layers = list(FSRCNN(d=8, s=4, m=2).model)
        kinds = [type(m) for m in layers]
        assert kinds == [nn.Conv2d, nn.PReLU] * 5 + [nn.ConvTranspose2d]
        assert [m.num_parameters for m in layers if isinstance(m, nn.PReLU)] == [8, 4, 4, 4, 8]

    def test_each_mapping_layer_adds_a_3x3_conv_and_prelu(self):
        s = 12
        added = parameter_count(FSRCNN(m=5)) - parameter_count(FSRCNN(m=4))
        assert added == 9 * s * s + s + s

    def test_scale_changes_only_the_deconvolution_stride(self):
        x2, x4 = FSRCNN(scale=2, d=8, s=4, m=1), FSRCNN(scale=4, d=8, s=4, m=1)
        x4.load_state_dict(x2.state_dict())  # same weights fit: the 9x9 deconvolution keeps its shape
        assert (x2.model[-1].stride, x4.model[-1].stride) == ((2, 2), (4, 4))
        x = torch.rand(1, 3, 8, 8)
        with torch.no_grad():  # the layers before the deconvolution compute the same features
            assert torch.equal(x2.model[:-1](x), x4.model[:-1](x))

    def test_paper_sizes(self):
        # FSRCNN(56, 12, 4) and FSRCNN-s(32, 5, 1) on one channel, as in the paper (12.5 k and 4 k)
        assert 12_000 < parameter_count(FSRCNN(channels=1)) < 13_000
        assert 3_500 < parameter_count(FSRCNN(channels=1, d=32, s=5, m=1)) < 4_500

    def test_wrong_channel_count_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="1 input channels, got 3"):
            FSRCNN(channels=1, d=8, s=4, m=1)(torch.rand(1, 3, 16, 16))

    @pytest.mark.parametrize("bad", [{"scale": 1}, {"d": 0}, {"s": None}, {"m": -1}])
    def test_bad_knobs(self, bad):
        with pytest.raises(NetworkError, match=next(iter(bad))):
            FSRCNN(**bad)
