"""The models the shared loop can train, by kind, so that a checkpoint can rebuild its model on resume."""

from __future__ import annotations

import torch

from lensengine.errors import LensEngineError
from lensengine_trainers.common.training_model import TrainingModel
from lensengine_trainers.cyclegan.model import CycleGAN, CycleGANConfig
from lensengine_trainers.pix2pix.distill import Distill, DistillConfig
from lensengine_trainers.pix2pix.model import Pix2Pix, Pix2PixConfig
from lensengine_trainers.style.fast_style import FastStyle, FastStyleConfig
from lensengine_trainers.superres.model import SuperResConfig, SuperResModel

MODEL_KINDS = {
    "pix2pix": (Pix2Pix, Pix2PixConfig),
    "distill": (Distill, DistillConfig),
    "superres": (SuperResModel, SuperResConfig),
    "cyclegan": (CycleGAN, CycleGANConfig),
    "style": (FastStyle, FastStyleConfig),
}


def build_model(kind: str, config: dict, device: torch.device, init_seed: int) -> TrainingModel:
    """The model of ``kind`` with ``config`` (a dict of its config dataclass's fields) on ``device``."""
    if kind not in MODEL_KINDS:
        raise LensEngineError(f"unknown model kind {kind!r}; this version trains {', '.join(MODEL_KINDS)}")
    model_class, config_class = MODEL_KINDS[kind]
    try:
        settings = config_class(**config)
    except TypeError as error:
        raise LensEngineError(f"{kind} settings do not fit this version of the trainers ({error})") from None
    return model_class(settings, device, init_seed)
