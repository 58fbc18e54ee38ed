"""PatchGAN discriminator: patch grid shape, receptive field, bad input, knobs."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lensengine.nets import NetworkError, parameter_count
from lensengine_trainers.common.patchgan import PatchDiscriminator, min_input_size, receptive_field


class TestPatchDiscriminator:
    def test_smoke(self):
        logits = PatchDiscriminator(ndf=4)(torch.rand(2, 3, 64, 64) * 2 - 1)
        assert logits.shape == (2, 1, 6, 6)
        assert logits.min() < logits.max()  # raw logits, no squashing to a constant

    def test_256_gives_30x30_at_three_layers(self):
        with torch.no_grad():
            logits = PatchDiscriminator(in_ch=6, ndf=2, n_layers=3).eval()(torch.zeros(1, 6, 256, 256))
        assert logits.shape == (1, 1, 30, 30)

    def test_receptive_field(self):
        assert receptive_field(3) == 70
        assert receptive_field(1) == 16
        assert receptive_field(5) == 286

    def test_receptive_field_is_what_one_output_sees(self):
        # The input pixels with a gradient from one interior output value span exactly the field.
        net = PatchDiscriminator(in_ch=1, ndf=2, n_layers=3, norm="none").double()
        x = torch.rand(1, 1, 128, 128, dtype=torch.float64, requires_grad=True)
        net(x)[0, 0, 7, 7].backward()
        rows, cols = torch.nonzero(x.grad[0, 0], as_tuple=True)
        assert rows.max() - rows.min() + 1 == 70
        assert cols.max() - cols.min() + 1 == 70

    @pytest.mark.parametrize("n_layers", [1, 2, 3, 4])
    def test_smallest_input_gives_one_patch(self, n_layers):
        net = PatchDiscriminator(ndf=2, n_layers=n_layers, norm="none")
        size = min_input_size(n_layers)
        assert net(torch.zeros(1, 3, size, size)).shape == (1, 1, 1, 1)
        with pytest.raises(NetworkError, match=f"at least {size}x{size}"):
            net(torch.zeros(1, 3, size - 1, size))

    def test_wrong_channel_count_is_a_clear_error(self):
        with pytest.raises(NetworkError, match="6 input channels, got 3"):
            PatchDiscriminator(in_ch=6, ndf=2)(torch.zeros(1, 3, 64, 64))

    def test_norms(self):
        def norms(net):
            return {type(m) for m in net.modules() if isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d))}

        assert norms(PatchDiscriminator(ndf=2)) == {nn.BatchNorm2d}
        assert norms(PatchDiscriminator(ndf=2, norm="instance")) == {nn.InstanceNorm2d}
        assert norms(PatchDiscriminator(ndf=2, norm="none")) == set()
        # without a norm layer every conv keeps its bias
        assert all(
            m.bias is not None for m in PatchDiscriminator(ndf=2, norm="none").modules() if isinstance(m, nn.Conv2d)
        )

    def test_pix2pix_reference_size(self):
        assert parameter_count(PatchDiscriminator(in_ch=6)) == 2_768_705

    def test_more_layers_add_a_wider_conv(self):
        # n_layers 3 -> 4 inserts one 512 -> 512 conv (ndf 64) with batch norm
        added = parameter_count(PatchDiscriminator(n_layers=4)) - parameter_count(PatchDiscriminator(n_layers=3))
        assert added == 512 * 512 * 16 + 2 * 512

    @pytest.mark.parametrize("bad", [{"ndf": 0}, {"n_layers": 0}, {"norm": "layer"}, {"in_ch": "6"}])
    def test_bad_knobs(self, bad):
        with pytest.raises(NetworkError, match=next(iter(bad))):
            PatchDiscriminator(**bad)
