"""The architecture registry: names, build_network, stored configs, errors, and the torch guard."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from torch import nn

from lensengine.errors import LensEngineError
from lensengine.nets import (
    ARCHITECTURES,
    NetworkError,
    build_network,
    config_keys,
    network_arch,
    network_config,
    parameter_count,
)
from lensengine.nets.norm import norm_layer

NAMES = ["unet", "resnet_generator", "johnson", "espcn", "fsrcnn", "srresnet", "edsr"]


def test_registry_names():
    assert list(ARCHITECTURES) == NAMES
    assert all(issubclass(cls, nn.Module) for cls in ARCHITECTURES.values())


@pytest.mark.parametrize("arch", NAMES)
def test_default_config_is_every_knob_and_plain_json(arch):
    net = build_network(arch)
    assert isinstance(net, ARCHITECTURES[arch])
    assert network_arch(net) == arch
    config = network_config(net)
    assert list(config) == config_keys(arch)
    assert json.loads(json.dumps(config)) == config
    assert all(type(value) in (int, float, str, bool) for value in config.values())


def test_rebuild_from_a_stored_config_gives_the_same_net():
    net = build_network("unet", ngf=8, num_downs=7, norm="instance", dropout=False)
    stored = json.dumps({"arch": network_arch(net), "config": network_config(net)})
    entry = json.loads(stored)
    rebuilt = build_network(entry["arch"], **entry["config"])
    rebuilt.load_state_dict(net.state_dict())  # raises if any layer differs
    assert parameter_count(rebuilt) == parameter_count(net)
    assert network_config(rebuilt) == {
        "in_ch": 3,
        "out_ch": 3,
        "ngf": 8,
        "num_downs": 7,
        "norm": "instance",
        "dropout": False,
        "alpha": False,
        "coords": False,
    }


def test_config_is_a_copy():
    net = build_network("espcn", width=8)
    network_config(net)["width"] = 64
    assert network_config(net)["width"] == 8


def test_unknown_architecture_names_the_valid_ones():
    with pytest.raises(NetworkError, match="unknown architecture 'pix2pix'.*unet, resnet_generator") as error:
        build_network("pix2pix")
    assert isinstance(error.value, ValueError) and isinstance(error.value, LensEngineError)


def test_unknown_config_key_names_the_valid_ones():
    with pytest.raises(NetworkError, match="unknown config key.*depth; valid keys are scale, channels, width"):
        build_network("espcn", depth=3)


def test_bad_config_value_is_a_network_error():
    with pytest.raises(NetworkError, match="ngf must be an integer >= 1, got 64.0"):
        build_network("resnet_generator", ngf=64.0)


def test_foreign_module_has_no_arch():
    with pytest.raises(NetworkError, match="Conv2d is not a registered architecture"):
        network_config(nn.Conv2d(3, 3, 3))


def test_errors_are_one_line():
    with pytest.raises(NetworkError) as error:
        build_network("edsr", n_blocks=-2)
    assert "\n" not in str(error.value)


def test_without_torch_the_package_says_how_to_install_it():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from lensengine.errors import LensEngineError\n"
        "try:\n    import lensengine.nets\n"
        "except LensEngineError as e:\n    print(e)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "pip install 'lensengine[torch]'" in result.stdout


def test_norm_layer_names():
    assert isinstance(norm_layer("batch", 4), nn.BatchNorm2d)
    assert not norm_layer("instance", 4).affine and norm_layer("instance", 4, instance_affine=True).affine
    assert isinstance(norm_layer("none", 4), nn.Identity)
    with pytest.raises(NetworkError, match="norm must be one of batch, instance, none, got 'group'"):
        norm_layer("group", 4)
