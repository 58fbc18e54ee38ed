"""export_superres_pack: a trained SR net as a lens pack, with the fields every SR pack shares filled in.

The pack is written by ``lensengine_trainers.common.export_pack.export_pack``: family ``superres``, kind ``face``,
normalisation ``unit`` (the SR nets take [0, 1]), the five-point template, and ``arch`` and ``config`` read from
the net. export_pack exports superres packs for any height and width (the SR stage enlarges whatever crop size
the lens in front of it uses) and checks ONNX Runtime against torch at a square and a non-square size.
"""

from __future__ import annotations

from pathlib import Path

from torch import nn

from lensengine.face.align import DEFAULT_MARGIN
from lensengine.nets import network_arch, network_config
from lensengine.packs import LensPack, PackError
from lensengine.packs.manifest import LensSpec
from lensengine_trainers.common.export_pack import export_pack
from lensengine_trainers.superres.model import SR_ARCHITECTURES


def export_superres_pack(
    net: nn.Module,
    out_dir: str | Path,
    *,
    name: str,
    crop_size: int,
    description: str,
    provenance: dict,
    color_order: str = "BGR",
    margin: float = DEFAULT_MARGIN,
    fp16: bool = True,
) -> LensPack:
    """Write the SR pack folder ``out_dir`` for ``net`` (a lensengine.nets SR net); return it loaded.

    ``crop_size`` is the lens crop the pack is made for (its manifest's size; any size runs). The caller's net
    is not changed.
    """
    arch = network_arch(net)
    if arch not in SR_ARCHITECTURES:
        raise PackError(name, f"{arch} is not a super-resolution net: export one of {', '.join(SR_ARCHITECTURES)}")
    config = network_config(net)
    lens_spec = LensSpec(
        name=name,
        family="superres",
        kind="face",
        description=description,
        crop_size=crop_size,
        scale=config["scale"],
        color_order=color_order,
        normalisation="unit",
        template="five_point",
        margin=margin,
        arch=arch,
        config=config,
        provenance=provenance,
    )
    return export_pack(net, out_dir, lens_spec, fp16=fp16)
