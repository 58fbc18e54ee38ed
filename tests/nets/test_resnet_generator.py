"""CycleGAN ResNet generator: shape contracts, padding, bad input, knobs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lensengine.nets import NetworkError, parameter_count
from lensengine.nets.resnet_generator import ResnetGenerator


class TestResnetGenerator:
    def test_smoke(self):
        y = ResnetGenerator(ngf=4, n_blocks=2)(torch.rand(2, 3, 32, 32) * 2 - 1)
        assert y.shape == (2, 3, 32, 32)
        assert y.abs().max() <= 1.0  # Tanh output

    def test_keeps_size_for_non_square_input_and_other_channels(self):
        net = ResnetGenerator(in_ch=1, out_ch=3, ngf=4, n_blocks=1, n_downsampling=3)
        assert net(torch.rand(1, 1, 48, 64)).shape == (1, 3, 48, 64)

    def test_layout_c7s1_d_r_u_c7s1(self):
        net = ResnetGenerator(ngf=8, n_blocks=3)
        convs = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
        shapes = [(type(m).__name__, m.in_channels, m.out_channels, m.kernel_size[0], m.stride[0]) for m in convs]
        assert shapes[:3] == [("Conv2d", 3, 8, 7, 1), ("Conv2d", 8, 16, 3, 2), ("Conv2d", 16, 32, 3, 2)]
        assert shapes[3:9] == [("Conv2d", 32, 32, 3, 1)] * 6  # three residual blocks of two convs
        assert shapes[9:] == [
            ("ConvTranspose2d", 32, 16, 3, 2),
            ("ConvTranspose2d", 16, 8, 3, 2),
            ("Conv2d", 8, 3, 7, 1),
        ]
        # the 7x7 and residual convs are reflection-padded, never zero-padded
        assert all(m.padding == (0, 0) for m in convs if m.stride == (1, 1))
        assert sum(isinstance(m, nn.ReflectionPad2d) for m in net.modules()) == 2 + 2 * 3

    def test_instance_norm_by_default_batch_on_request(self):
        assert any(isinstance(m, nn.InstanceNorm2d) for m in ResnetGenerator(ngf=2, n_blocks=1).modules())
        batch = ResnetGenerator(ngf=2, n_blocks=1, norm="batch")
        assert not any(isinstance(m, nn.InstanceNorm2d) for m in batch.modules())

    def test_size_not_divisible_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="divisible by 4"):
            ResnetGenerator(ngf=2, n_blocks=1)(torch.zeros(1, 3, 30, 32))

    def test_too_small_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="at least 8x8"):
            ResnetGenerator(ngf=2, n_blocks=1)(torch.zeros(1, 3, 4, 4))

    def test_wrong_channel_count_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="3 input channels, got 1"):
            ResnetGenerator(ngf=2, n_blocks=1)(torch.zeros(1, 1, 32, 32))

    def test_each_block_adds_two_bottleneck_convs(self):
        width = 4 * 8  # ngf 8, two downsamplings
        assert (
            parameter_count(ResnetGenerator(ngf=8, n_blocks=4)) - parameter_count(ResnetGenerator(ngf=8, n_blocks=3))
            == 2 * 9 * width * width
        )  # no bias (a norm follows), instance norm without affine

    def test_reference_size(self):
        assert parameter_count(ResnetGenerator()) == 11_372_931

    @pytest.mark.parametrize("bad", [{"ngf": -1}, {"n_blocks": True}, {"norm": "none"}, {"n_downsampling": -1}])
    def test_bad_knobs(self, bad):
        with pytest.raises(NetworkError, match=next(iter(bad))):
            ResnetGenerator(**bad)
