"""From a training checkpoint to a lens pack: the generator, its measured quality and where it came from.

The pack is written by ``common/export_pack.py`` (FP32 and FP16 ONNX, safetensors, lens.toml, and a
check that ONNX Runtime matches torch). Its provenance records the trainer and its settings, the data, the
steps, the last losses and the quality measured here (quality.py) on evaluation data or, when none is
given, on the unaugmented training data.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from lensengine.nets import network_config
from lensengine.packs.lens_pack import LensPack
from lensengine.packs.manifest import LensSpec
from lensengine_trainers import __version__
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.export_pack import export_pack
from lensengine_trainers.common.quality import NO_AUGMENTATION, measure_quality
from lensengine_trainers.data.training_data import DataSpec, open_samples
from lensengine_trainers.pix2pix.distill import generator_config
from lensengine_trainers.pix2pix.model import build_generator, shown_image


class ShownImage(torch.nn.Module):
    """A generator as its lens shows it: the composite for an alpha net, for measuring quality."""

    def __init__(self, generator: torch.nn.Module) -> None:
        super().__init__()
        self.generator = generator

    def forward(self, source: torch.Tensor) -> torch.Tensor:
        return shown_image(source, self.generator(source))


class ColourTargets:
    """Samples with the alpha channel of their targets dropped (quality compares what the lens shows)."""

    def __init__(self, samples) -> None:
        self.samples = samples

    def __len__(self) -> int:
        return len(self.samples)

    def sample(self, index: int, rng):
        return {key: image[..., :3] for key, image in self.samples.sample(index, rng).items()}


def without_none(value):
    """``value`` with every None dropped from its mappings (TOML has no null)."""
    if isinstance(value, dict):
        return {key: without_none(item) for key, item in value.items() if item is not None}
    return value


def training_provenance(checkpoint) -> dict:
    """The ``training`` table every pack's provenance carries: steps, batch, seed, checkpoint, last losses."""
    loop = checkpoint.meta["loop"]
    return {
        "steps": checkpoint.step,
        "batch_size": loop["batch_size"],
        "seed": loop["seed"],
        "checkpoint": checkpoint.folder.name,
        "losses": checkpoint.meta.get("losses", {}),
    }


def export_checkpoint(
    checkpoint_path: str,
    out_dir: str,
    name: str,
    description: str = "",
    eval_data: DataSpec | None = None,
    fp16: bool = True,
) -> LensPack:
    """Export the generator of a pix2pix or distill checkpoint as the face-lens pack ``out_dir``."""
    checkpoint = read_checkpoint(checkpoint_path)
    config = generator_config(checkpoint.model_config)
    generator = build_generator(config)
    generator.load_state_dict(checkpoint.network_state("G"))
    generator.eval()

    training_data = checkpoint.meta["data"]
    measured_on = "evaluation data" if eval_data is not None else "training data, unaugmented"
    trained_on = DataSpec.from_json(training_data["source"])
    spec = replace(eval_data or trained_on, augment=NO_AUGMENTATION)
    if spec.teacher_size is None and spec.teacher == trained_on.teacher:
        spec = replace(spec, teacher_size=trained_on.teacher_size)  # the teacher draws as it did in training
    samples = open_samples(spec, config.size, alpha=config.alpha)
    quality = measure_quality(ShownImage(generator), ColourTargets(samples), config.direction)
    provenance = {
        "trainer": {
            "package": "lensengine-trainers",
            "version": __version__,
            "model": checkpoint.model_kind,
            "config": checkpoint.model_config,
        },
        "data": training_data,
        "training": training_provenance(checkpoint),
        "quality": {**quality, "measured_on": measured_on, "data": spec.to_json()},
    }
    lens_spec = LensSpec(
        name=name,
        family="pix2pix",
        kind="face",
        description=description or f"{checkpoint.model_kind} lens ({config.size} px, ngf {config.ngf})",
        crop_size=config.size,
        scale=1,
        color_order="BGR",
        normalisation="tanh",
        template="five_point",
        margin=float(training_data["margin"]),
        arch="unet",
        config=network_config(generator),
        outputs="rgba" if config.alpha else "rgb",
        provenance=without_none(provenance),
    )
    return export_pack(generator, out_dir, lens_spec, fp16=fp16)
