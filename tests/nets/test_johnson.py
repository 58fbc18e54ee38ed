"""Johnson fast style net: shape contracts, resize-conv upsampling, bad input, knobs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lensengine.nets import NetworkError, parameter_count
from lensengine.nets.johnson import TransformerNet


class TestTransformerNet:
    def test_smoke(self):
        y = TransformerNet(width=4, n_res=1)(torch.rand(2, 3, 32, 32) * 2 - 1)
        assert y.shape == (2, 3, 32, 32)

    def test_keeps_any_frame_size_divisible_by_4_and_outputs_minus_one_to_one(self):
        with torch.no_grad():
            y = TransformerNet(width=4, n_res=1).eval()(torch.rand(1, 3, 36, 60) * 2 - 1)
        assert y.shape == (1, 3, 36, 60)
        assert y.abs().max() <= 1.0 and y.min() < y.max()

    def test_upsamples_by_nearest_resize_and_conv_not_transposed_conv(self):
        net = TransformerNet(width=4, n_res=1)
        upsamplers = [m for m in net.modules() if isinstance(m, nn.Upsample)]
        assert [(m.scale_factor, m.mode) for m in upsamplers] == [(2.0, "nearest")] * 2
        assert not any(isinstance(m, nn.ConvTranspose2d) for m in net.modules())

    def test_instance_norm_is_affine(self):
        norms = [m for m in TransformerNet(width=4, n_res=1).modules() if isinstance(m, nn.InstanceNorm2d)]
        assert norms and all(m.affine for m in norms)

    def test_size_not_divisible_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="divisible by 4"):
            TransformerNet(width=4, n_res=1)(torch.zeros(1, 3, 30, 32))

    def test_wrong_channel_count_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="3 input channels, got 4"):
            TransformerNet(width=4, n_res=1)(torch.zeros(1, 4, 32, 32))

    def test_each_residual_block_adds_two_convs_and_two_affine_norms(self):
        width = 4 * 8
        added = parameter_count(TransformerNet(width=8, n_res=3)) - parameter_count(TransformerNet(width=8, n_res=2))
        assert added == 2 * 9 * width * width + 2 * 2 * width

    def test_reference_size(self):
        # width 32, 5 blocks: the 1.68 M-parameter net of the paper
        assert parameter_count(TransformerNet()) == 1_677_635

    def test_outer_kernel_sets_the_two_full_resolution_convs(self):
        convs = [m for m in TransformerNet(width=4, n_res=1, outer_kernel=3).modules() if isinstance(m, nn.Conv2d)]
        assert convs[0].kernel_size == convs[-1].kernel_size == (3, 3)
        assert all(m.kernel_size == (3, 3) for m in convs)
        nine = [m.kernel_size for m in TransformerNet(width=4, n_res=1).modules() if isinstance(m, nn.Conv2d)]
        assert nine[0] == nine[-1] == (9, 9)
        y = TransformerNet(width=4, n_res=1, outer_kernel=3)(torch.rand(1, 3, 20, 28) * 2 - 1)
        assert y.shape == (1, 3, 20, 28)

    @pytest.mark.parametrize("bad", [{"width": 0}, {"n_res": -1}, {"norm": "none"}, {"outer_kernel": 4}])
    def test_bad_knobs(self, bad):
        with pytest.raises(NetworkError, match=next(iter(bad))):
            TransformerNet(**bad)
