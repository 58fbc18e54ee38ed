"""Normalisation layers by name, as the network constructors take them ("batch", "instance", "none").

Instance norm follows pix2pix/CycleGAN: no running statistics, and by default no learned scale and
shift (``affine=False``); the Johnson style net asks for the affine form. Both export to ONNX as
BatchNormalization / InstanceNormalization. A convolution followed by a norm layer needs no bias (the
norm subtracts the mean), so the networks build those convolutions without one.
"""

from __future__ import annotations

from torch import nn

from lensengine.nets.checks import NetworkError

NORMS = ("batch", "instance", "none")


def has_norm(kind: str) -> bool:
    """Whether ``kind`` names a layer that normalises (anything but "none")."""
    return kind != "none"


def norm_layer(kind: str, channels: int, instance_affine: bool = False) -> nn.Module:
    """A normalisation layer for ``channels`` feature maps (nn.Identity for "none")."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=instance_affine, track_running_stats=False)
    if kind == "none":
        return nn.Identity()
    raise NetworkError(f"norm must be one of {', '.join(NORMS)}, got {kind!r}")
