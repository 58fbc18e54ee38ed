"""pix2pix U-Net with CoordConv input: the coordinate planes, how they enter the net, old configs, ONNX."""

from __future__ import annotations

import pytest
import torch

from lensengine.nets import NetworkError, build_network, network_config
from lensengine.nets.unet import UNetGenerator, with_coordinates


def test_coordinate_planes_run_from_minus_one_to_one_after_the_image():
    image = torch.rand(2, 3, 4, 5)
    planes = with_coordinates(image)
    assert planes.shape == (2, 5, 4, 5)
    assert torch.equal(planes[:, :3], image)
    torch.testing.assert_close(planes[0, 3, 0], torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0]))
    torch.testing.assert_close(planes[1, 4, :, 2], torch.tensor([-1.0, -1 / 3, 1 / 3, 1.0]))
    assert torch.equal(planes[:, 3], planes[:, 3, :1].expand(2, 4, 5))  # x does not change down a column
    assert torch.equal(planes[:, 4], planes[:, 4, :, :1].expand(2, 4, 5))  # y does not change along a row


def test_coordinates_enter_only_through_the_first_convolution():
    net = UNetGenerator(ngf=4, num_downs=5, alpha=True, coords=True).eval()
    assert net.down[0][0].weight.shape[1] == 5
    plain = UNetGenerator(ngf=4, num_downs=5, alpha=True).eval()
    state = net.state_dict()
    state["down.0.0.weight"] = state["down.0.0.weight"][:, :3]
    plain.load_state_dict(state)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        differs = (net(x) - plain(x)).abs().max()
        net.down[0][0].weight[:, 3:] = 0.0
        torch.testing.assert_close(net(x), plain(x))
    assert differs > 1e-3


def test_config_says_coords_and_configs_without_it_build_plain_nets():
    assert network_config(UNetGenerator(ngf=2, num_downs=5, coords=True))["coords"] is True
    old = {k: v for k, v in network_config(UNetGenerator(ngf=2, num_downs=5)).items() if k != "coords"}
    assert build_network("unet", **old).config["coords"] is False


def test_bad_coords_option():
    with pytest.raises(NetworkError, match="coords"):
        UNetGenerator(ngf=2, num_downs=5, coords=1)


def test_onnx_export_with_a_free_batch_axis_matches_torch(onnx_and_torch):
    net = UNetGenerator(ngf=2, num_downs=5, alpha=True, coords=True).eval()
    out, expected = onnx_and_torch(net, torch.rand(3, 3, 32, 32) * 2 - 1, free_batch=True)
    assert out.shape == (3, 4, 32, 32)
    assert abs(out - expected).max() < 1e-4
