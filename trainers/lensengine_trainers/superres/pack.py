"""From an SR training run to an SR lens pack, with where it came from and how much it beats bicubic.

The provenance follows the other trainers' packs (lensengine_trainers.pix2pix.export): ``trainer`` (package,
version, model kind and config), ``data`` (training folders, held-out folder, patch size, degradation),
``training`` (steps, batch size, seed, checkpoint, last losses) and ``quality``: held-out PSNR (dB) and SSIM of
the net and of bicubic, measured here on the held-out images (shrunk as the run's were, see heldout.py).
"""

from __future__ import annotations

from pathlib import Path

import torch

from lensengine.packs import LensPack
from lensengine_trainers import __version__
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.pix2pix.export import training_provenance, without_none
from lensengine_trainers.superres.export import export_superres_pack
from lensengine_trainers.superres.heldout import HeldOutScores, HeldOutSet
from lensengine_trainers.superres.model import SuperResConfig, SuperResModel

TRAINER = "lensengine_trainers.superres"


def quality_table(scores: HeldOutScores, heldout: str, kernel: str) -> dict:
    """The ``quality`` provenance table of a pack scored on the held-out folder ``heldout`` shrunk with ``kernel``."""
    return {
        "psnr_db": round(scores.psnr, 3),
        "ssim": round(scores.ssim, 4),
        "bicubic_psnr_db": round(scores.bicubic_psnr, 3),
        "bicubic_ssim": round(scores.bicubic_ssim, 4),
        "psnr_gain_db": round(scores.psnr_gain, 3),
        "images": scores.images,
        "shrink": kernel,
        "measured_on": (
            f"{scores.images} held-out images in {heldout}, shrunk with {kernel}, enlarged by the net and by bicubic"
        ),
    }


def export_run(
    checkpoint_path: str | Path,
    out_dir: str | Path,
    name: str,
    crop_size: int = 128,
    heldout: str | Path | None = None,
    description: str = "",
    fp16: bool = True,
) -> LensPack:
    """Export the net of an SR run's checkpoint as the pack folder ``out_dir``, scored on the held-out images."""
    checkpoint = read_checkpoint(checkpoint_path)
    config = SuperResConfig(**checkpoint.model_config)
    model = SuperResModel(config, device=torch.device("cpu"))
    model.net.load_state_dict(checkpoint.network_state("G"))
    data = checkpoint.meta["data"]
    heldout_folder = str(Path(heldout).resolve()) if heldout else data["heldout"]
    kernel = data["heldout_kernel"]
    scores = HeldOutSet.from_folder(heldout_folder, config.scale, kernel).evaluate(model.upscale_images)
    knobs = ", ".join(f"{key} {value}" for key, value in config.net.items())
    vgg = {"vgg": model.vgg_source.to_provenance()} if model.vgg_source else {}
    provenance = {
        "trainer": {
            "package": "lensengine-trainers",
            "version": __version__,
            "module": TRAINER,
            "model": checkpoint.model_kind,
            "config": checkpoint.model_config,
            **vgg,
        },
        "data": data,
        "training": training_provenance(checkpoint),
        "quality": quality_table(scores, heldout_folder, kernel),
    }
    return export_superres_pack(
        model.net,
        out_dir,
        name=name,
        crop_size=crop_size,
        description=description or f"x{config.scale} super-resolution ({config.arch} {knobs})",
        provenance=without_none(provenance),
        fp16=fp16,
    )
