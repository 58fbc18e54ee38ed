"""A fast style checkpoint as a lens pack: a frame lens (the whole picture) or a face lens (face crops).

Frame packs are exported for any height and width; the engine scales each frame so its short side is the
pack's ``crop_size`` (the working size: the main speed knob) and back. Face packs take ``crop_size`` squares
cut by the aligner with the training data's margin. The provenance records the trainer and its settings,
the style image (file name, sha256, origin; the image itself is not shipped), which VGG features measured the
losses, the data, the steps and the last losses.
"""

from __future__ import annotations

from pathlib import Path

from lensengine.errors import LensEngineError
from lensengine.nets import network_config
from lensengine.packs.lens_pack import LensPack
from lensengine.packs.manifest import LensSpec
from lensengine_trainers import __version__
from lensengine_trainers.common.checkpoint import Checkpoint
from lensengine_trainers.common.export_pack import export_pack
from lensengine_trainers.common.vgg import load_vgg
from lensengine_trainers.pix2pix.export import training_provenance, without_none
from lensengine_trainers.style.fast_style import FastStyleConfig, style_net

KINDS = ("frame", "face")


def checkpoint_style_net(checkpoint: Checkpoint):
    """The Johnson net of a fast style checkpoint, in eval mode on the CPU."""
    config = FastStyleConfig(**checkpoint.model_config)
    net = style_net(config)
    net.load_state_dict(checkpoint.network_state("G"))
    return net.eval()


def loss_features(config: FastStyleConfig) -> dict:
    """Which VGG features trained the net (ImageNet file and hash, or random with its seed)."""
    layers = (config.content_layer, *config.style_layers)
    _, source = load_vgg(config.vgg, layers, config.vgg_weights, seed=config.vgg_seed)
    return {**source.to_provenance(), "content_layer": config.content_layer, "style_layers": list(config.style_layers)}


def style_provenance(checkpoint: Checkpoint, quality: dict | None) -> dict:
    """The provenance table of a style pack."""
    config = checkpoint.model_config
    trainer_config = {key: value for key, value in config.items() if key not in ("style_image", "style_origin")}
    provenance = {
        "trainer": {
            "package": "lensengine-trainers",
            "version": __version__,
            "model": "style",
            "config": trainer_config,
        },
        "style_image": {
            "file": Path(config["style_image"]).name,
            "sha256": config["style_sha256"],
            "origin": config["style_origin"] or "not recorded",
        },
        "loss_features": loss_features(FastStyleConfig(**config)),
        "data": checkpoint.meta["data"],
        "training": training_provenance(checkpoint),
    }
    if quality:
        provenance["quality"] = quality
    return without_none(provenance)


def export_style(
    checkpoint: Checkpoint,
    out_dir: str,
    name: str,
    kind: str,
    crop_size: int | None = None,
    description: str = "",
    quality: dict | None = None,
    fp16: bool = True,
) -> LensPack:
    """Write the style net of ``checkpoint`` as a ``kind`` pack; ``crop_size`` defaults to the training size."""
    if kind not in KINDS:
        raise LensEngineError(f"--kind must be frame or face, got {kind!r}")
    config = FastStyleConfig(**checkpoint.model_config)
    side = crop_size or config.size
    if side < 16 or side % 4:
        raise LensEngineError(f"--crop-size {side} must be a multiple of 4 and at least 16")
    net = checkpoint_style_net(checkpoint)
    style_name = Path(config.style_image).stem
    lens_spec = LensSpec(
        name=name,
        family="style",
        kind=kind,
        description=description or f"{style_name} style on {'the whole picture' if kind == 'frame' else 'each face'}",
        crop_size=side,
        scale=1,
        color_order="BGR",
        normalisation="tanh",
        template="none" if kind == "frame" else "five_point",
        margin=float(checkpoint.meta["data"]["margin"]),
        arch="johnson",
        config=network_config(net),
        provenance=style_provenance(checkpoint, quality),
    )
    return export_pack(net, out_dir, lens_spec, fp16=fp16)
