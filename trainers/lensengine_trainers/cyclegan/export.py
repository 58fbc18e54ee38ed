"""Both directions of a CycleGAN checkpoint as face-lens packs, with provenance and, when asked, quality.

``G_AB`` becomes the A -> B pack and ``G_BA`` the B -> A pack (``common/export_pack.py``: FP32 and FP16 ONNX,
safetensors, lens.toml, ONNX Runtime checked against torch). The provenance records the trainer and its settings,
the data, the steps, the last losses, which features the identity loss used, and the quality measured against a
teacher lens on held-out faces (quality.py).

A run trained with ``alpha`` gives ``outputs = "rgba"`` packs (colour + alpha, composited over the crop by the
engine); export_pack checks ONNX Runtime against torch on colour and alpha alike, and the FP16 model's alpha.
"""

from __future__ import annotations

import torch

from lensengine.nets import network_config
from lensengine.packs.lens_pack import LensPack
from lensengine.packs.manifest import LensSpec
from lensengine_trainers import __version__
from lensengine_trainers.common.checkpoint import Checkpoint
from lensengine_trainers.common.export_pack import export_pack
from lensengine_trainers.cyclegan.model import IDENTITY_VGG_LAYERS, CycleGANConfig, IdentityDistance, build_generator
from lensengine_trainers.pix2pix.export import training_provenance, without_none

GENERATORS = {"AtoB": "G_AB", "BtoA": "G_BA"}


def checkpoint_generator(checkpoint: Checkpoint, direction: str):
    """The generator of ``direction`` ("AtoB" or "BtoA") of a CycleGAN checkpoint, in eval mode."""
    config = CycleGANConfig(**checkpoint.model_config)
    generator = build_generator(config)
    generator.load_state_dict(checkpoint.network_state(GENERATORS[direction]))
    return generator.eval()


def cyclegan_provenance(checkpoint: Checkpoint, direction: str, quality: dict | None) -> dict:
    """The provenance table of one direction's pack."""
    config = checkpoint.model_config
    identity = {"features": "pixels", "distance": "L1"}
    if config["identity_features"] == "vgg":
        source = IdentityDistance(CycleGANConfig(**config), torch.device("cpu")).source
        identity = {"features": "VGG16 " + ", ".join(IDENTITY_VGG_LAYERS), "distance": "L1", **source.to_provenance()}
    provenance = {
        "trainer": {"package": "lensengine-trainers", "version": __version__, "model": "cyclegan", "config": config},
        "direction": direction,
        "identity_loss": identity,
        "data": checkpoint.meta["data"],
        "training": training_provenance(checkpoint),
    }
    if quality:
        provenance["quality"] = quality
    return without_none(provenance)


def export_direction(
    checkpoint: Checkpoint,
    direction: str,
    out_dir: str,
    name: str,
    description: str = "",
    quality: dict | None = None,
    fp16: bool = True,
) -> LensPack:
    """Write the pack of one direction of ``checkpoint`` to ``out_dir``."""
    generator = checkpoint_generator(checkpoint, direction)
    config = CycleGANConfig(**checkpoint.model_config)
    head = ", alpha" if config.alpha else ""
    lens_spec = LensSpec(
        name=name,
        family="cyclegan",
        kind="face",
        description=description
        or f"CycleGAN {direction} lens ({config.size} px, ngf {config.ngf}, {config.n_blocks} blocks{head})",
        outputs="rgba" if config.alpha else "rgb",
        crop_size=config.size,
        scale=1,
        color_order="BGR",
        normalisation="tanh",
        template="five_point",
        margin=float(checkpoint.meta["data"]["margin"]),
        arch="resnet_generator",
        config=network_config(generator),
        provenance=cyclegan_provenance(checkpoint, direction, quality),
    )
    return export_pack(generator, out_dir, lens_spec, fp16=fp16)
