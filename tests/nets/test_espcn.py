"""ESPCN: scale contracts, parameter formula, bad input."""

from __future__ import annotations

import pytest
import torch

from lensengine.nets import NetworkError, parameter_count
from lensengine.nets.espcn import ESPCN


def espcn_parameters(scale: int, channels: int, width: int) -> int:
    """conv5 channels->width, conv3 width->width/2, conv3 width/2->channels*scale^2, with biases."""
    half = width // 2
    out = channels * scale**2
    return (25 * channels * width + width) + (9 * width * half + half) + (9 * half * out + out)


class TestESPCN:
    def test_smoke(self):
        y = ESPCN(width=8)(torch.rand(2, 3, 10, 12))
        assert y.shape == (2, 3, 20, 24)
        assert torch.isfinite(y).all()

    @pytest.mark.parametrize("scale", [2, 3, 4])
    def test_scale_contract(self, scale):
        assert ESPCN(scale=scale, width=8)(torch.rand(1, 3, 16, 16)).shape == (1, 3, 16 * scale, 16 * scale)

    def test_x4_16_to_64_single_channel(self):
        assert ESPCN(scale=4, channels=1, width=8)(torch.rand(1, 1, 16, 16)).shape == (1, 1, 64, 64)

    def test_each_output_pixel_block_comes_from_its_input_pixel(self):
        # Sub-pixel conv: every conv runs at low resolution, so a change at one low-res pixel moves only
        # the high-res blocks within the convs' reach (5x5, 3x3, 3x3: 4 low-res pixels each way).
        net = ESPCN(scale=2, width=8).eval()
        x = torch.rand(1, 3, 16, 16)
        poked = x.clone()
        poked[0, :, 8, 8] += 0.5
        with torch.no_grad():
            change = (net(poked) - net(x)).abs().sum(dim=1)[0]
        rows, cols = torch.nonzero(change, as_tuple=True)
        # low-res 4..12 are high-res 8..25 at x2
        assert rows.min() >= 8 and rows.max() <= 25 and cols.min() >= 8 and cols.max() <= 25
        assert change[16:18, 16:18].min() > 0

    @pytest.mark.parametrize(("scale", "channels", "width"), [(2, 3, 64), (4, 1, 16), (3, 3, 8)])
    def test_parameter_count_formula(self, scale, channels, width):
        assert parameter_count(ESPCN(scale, channels, width)) == espcn_parameters(scale, channels, width)

    def test_wrong_channel_count_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="3 input channels, got 1"):
            ESPCN(width=8)(torch.rand(1, 1, 16, 16))

    @pytest.mark.parametrize("bad", [{"scale": 8}, {"scale": 2.0}, {"channels": 0}, {"width": 1}])
    def test_bad_knobs(self, bad):
        with pytest.raises(NetworkError, match=next(iter(bad))):
            ESPCN(**bad)
