"""Measured quality of a generator: how close its 8-bit output comes to the targets of a dataset.

The dataset is read without augmentation; outputs are rounded to 8 bits as a lens delivers them. Reported:
mean absolute error in 8-bit levels and the mean per-image PSNR in dB.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from lensengine.errors import LensEngineError
from lensengine_trainers.common.tensors import images_to_tensor, tensor_to_images
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.pix2pix.model import split_direction

NO_AUGMENTATION = AugmentConfig(zoom=1.0, flip=False)
PSNR_CAP_DB = 99.0


@torch.no_grad()
def measure_quality(generator: torch.nn.Module, samples, direction: str, batch_size: int = 8) -> dict[str, float]:
    """{"images", "mae_8bit", "psnr_db"} of ``generator`` (eval mode, on its device) over every sample."""
    device = next(generator.parameters()).device
    was_training = generator.training
    generator.eval()
    errors, psnrs = [], []
    rng = np.random.default_rng(0)  # unused by unaugmented samples, but their interface takes one
    for start in range(0, len(samples), batch_size):
        drawn = [samples.sample(i, rng) for i in range(start, min(start + batch_size, len(samples)))]
        batch = {key: images_to_tensor(torch.from_numpy(np.stack([d[key] for d in drawn])), device) for key in drawn[0]}
        source, target = split_direction(batch, direction)
        if target is None:
            raise LensEngineError(
                "measuring quality needs targets, but the data holds faces only: "
                "pass --eval-pairs DIR, or --eval-faces DIR with --eval-teacher LENS"
            )
        output = tensor_to_images(generator(source)).numpy().astype(np.float64)
        wanted = tensor_to_images(target).numpy().astype(np.float64)
        for out, ref in zip(output, wanted):
            mse = float(np.mean((out - ref) ** 2))
            errors.append(float(np.mean(np.abs(out - ref))))
            psnrs.append(PSNR_CAP_DB if mse == 0 else min(PSNR_CAP_DB, 10 * math.log10(255.0**2 / mse)))
    generator.train(was_training)
    return {"images": len(errors), "mae_8bit": float(np.mean(errors)), "psnr_db": float(np.mean(psnrs))}
