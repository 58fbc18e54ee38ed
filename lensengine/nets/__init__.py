"""Network definitions for lenses and their trainers, importable only where PyTorch is installed.

Each architecture lives in its own module; this package maps names to classes so a lens pack can
store ``arch`` + ``config`` (plain JSON kwargs) and rebuild the net::

    net = build_network("unet", ngf=32, num_downs=7)
    pack_entry = {"arch": network_arch(net), "config": network_config(net)}
    same_net = build_network(pack_entry["arch"], **pack_entry["config"])

Value ranges: the GAN and style nets (unet, resnet_generator, johnson) take images in
[-1, 1]; the super-resolution nets (espcn, fsrcnn, srresnet, edsr) take [0, 1]. All take N x C x H x W
float tensors. Every net exports with ``torch.onnx.export(..., dynamo=False, opset_version=17)`` with
a dynamic batch axis.

The engine itself must start without torch: import this package only where a torch path is chosen.
"""

from __future__ import annotations

import inspect

from lensengine.errors import LensEngineError

try:
    from torch import nn
except ImportError as exc:
    raise LensEngineError(
        "PyTorch is not installed, and lensengine.nets needs it: pip install 'lensengine[torch]'"
    ) from exc

from lensengine.nets.checks import NetworkError
from lensengine.nets.edsr import EDSR
from lensengine.nets.espcn import ESPCN
from lensengine.nets.fsrcnn import FSRCNN
from lensengine.nets.johnson import TransformerNet
from lensengine.nets.resnet_generator import ResnetGenerator
from lensengine.nets.srresnet import SRResNet
from lensengine.nets.unet import UNetGenerator

__all__ = [
    "ARCHITECTURES",
    "NetworkError",
    "build_network",
    "config_keys",
    "network_arch",
    "network_config",
    "parameter_count",
]

ARCHITECTURES: dict[str, type[nn.Module]] = {
    "unet": UNetGenerator,
    "resnet_generator": ResnetGenerator,
    "johnson": TransformerNet,
    "espcn": ESPCN,
    "fsrcnn": FSRCNN,
    "srresnet": SRResNet,
    "edsr": EDSR,
}


def config_keys(arch: str) -> list[str]:
    """The keyword arguments the architecture ``arch`` takes."""
    return list(inspect.signature(_architecture(arch)).parameters)


def build_network(arch: str, **config: object) -> nn.Module:
    """Build the network ``arch`` with ``config`` (omitted knobs take their defaults)."""
    valid = config_keys(arch)
    unknown = sorted(set(config) - set(valid))
    if unknown:
        raise NetworkError(f"{arch}: unknown config key(s) {', '.join(unknown)}; valid keys are {', '.join(valid)}")
    return _architecture(arch)(**config)


def network_arch(module: nn.Module) -> str:
    """The registry name of ``module``'s architecture."""
    for arch, cls in ARCHITECTURES.items():
        if type(module) is cls:
            return arch
    raise NetworkError(
        f"{type(module).__name__} is not a registered architecture; build it from one of {', '.join(ARCHITECTURES)}"
    )


def network_config(module: nn.Module) -> dict[str, object]:
    """The full kwargs ``module`` was built with (every knob, JSON-serialisable)."""
    network_arch(module)  # raises for modules that are not registry nets
    return dict(module.config)


def parameter_count(module: nn.Module) -> int:
    """How many parameters ``module`` has (buffers such as running statistics not counted)."""
    return sum(p.numel() for p in module.parameters())


def _architecture(arch: str) -> type[nn.Module]:
    if arch not in ARCHITECTURES:
        raise NetworkError(f"unknown architecture {arch!r}; choose one of {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[arch]
