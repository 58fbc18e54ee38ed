"""pix2pix U-Net generator: shape contracts, dropout, bad input, knobs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lensengine.nets import NetworkError, parameter_count
from lensengine.nets.unet import UNetGenerator


class TestUNetGenerator:
    def test_smoke(self):
        y = UNetGenerator(ngf=4, num_downs=5).eval()(torch.rand(2, 3, 32, 32) * 2 - 1)
        assert y.shape == (2, 3, 32, 32)
        assert torch.isfinite(y).all()

    @pytest.mark.parametrize(("num_downs", "size"), [(7, 128), (8, 256)])
    def test_keeps_size_at_crop_sizes(self, num_downs, size):
        net = UNetGenerator(in_ch=3, out_ch=1, ngf=2, num_downs=num_downs).eval()
        with torch.no_grad():
            y = net(torch.rand(1, 3, size, size) * 2 - 1)
        assert y.shape == (1, 1, size, size)
        assert y.abs().max() <= 1.0  # Tanh output

    def test_innermost_level_is_one_pixel_and_trains_at_batch_one(self):
        # The innermost level has no norm, so batch norm never sees a single 1x1 value in training.
        net = UNetGenerator(ngf=2, num_downs=5).train()
        y = net(torch.rand(1, 3, 32, 32) * 2 - 1)
        y.mean().backward()
        assert all(p.grad is not None for p in net.parameters())

    def test_dropout_in_three_innermost_decoder_blocks(self):
        net = UNetGenerator(ngf=2, num_downs=8)
        with_dropout = [i for i, block in enumerate(net.up) if any(isinstance(m, nn.Dropout) for m in block)]
        assert with_dropout == [5, 6, 7]
        assert not any(isinstance(m, nn.Dropout) for m in UNetGenerator(ngf=2, dropout=False).modules())

    def test_dropout_is_random_in_training_and_off_in_eval(self):
        net = UNetGenerator(ngf=4, num_downs=5)
        x = torch.rand(2, 3, 32, 32) * 2 - 1
        with torch.no_grad():
            assert not torch.equal(net.train()(x), net(x))
            net.eval()
            assert torch.equal(net(x), net(x))

    def test_norm_choice(self):
        assert any(isinstance(m, nn.BatchNorm2d) for m in UNetGenerator(ngf=2).modules())
        instance = UNetGenerator(ngf=2, norm="instance")
        assert any(isinstance(m, nn.InstanceNorm2d) for m in instance.modules())
        assert not any(isinstance(m, nn.BatchNorm2d) for m in instance.modules())

    def test_size_not_divisible_is_a_clear_error(self):
        net = UNetGenerator(ngf=2, num_downs=5)
        with pytest.raises(NetworkError, match="divisible by 32") as error:
            net(torch.zeros(1, 3, 48, 48))
        assert isinstance(error.value, ValueError)

    def test_wrong_channel_count_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="3 input channels, got 4"):
            UNetGenerator(ngf=2, num_downs=5)(torch.zeros(1, 4, 32, 32))

    def test_unbatched_input_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="N x 3 x H x W"):
            UNetGenerator(ngf=2, num_downs=5)(torch.zeros(3, 32, 32))

    def test_one_more_level_adds_one_8ngf_level(self):
        ngf = 4
        wide = 8 * ngf
        # encoder conv (no bias) + batch norm, decoder transposed conv from the concatenation + batch norm
        level = wide * wide * 16 + 2 * wide + 2 * wide * wide * 16 + 2 * wide
        assert (
            parameter_count(UNetGenerator(ngf=ngf, num_downs=8)) - parameter_count(UNetGenerator(ngf=ngf, num_downs=7))
            == level
        )

    def test_parameters_grow_with_ngf_squared(self):
        ratio = parameter_count(UNetGenerator(ngf=32)) / parameter_count(UNetGenerator(ngf=16))
        assert 3.9 < ratio < 4.0

    def test_reference_size(self):
        assert parameter_count(UNetGenerator()) == 54_414_531

    @pytest.mark.parametrize("bad", [{"ngf": 0}, {"num_downs": 1}, {"norm": "group"}, {"dropout": 1}, {"in_ch": 3.0}])
    def test_bad_knobs(self, bad):
        with pytest.raises(NetworkError, match=next(iter(bad))):
            UNetGenerator(**bad)
