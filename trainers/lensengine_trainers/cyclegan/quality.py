"""How close a translation comes to a teacher lens on held-out faces: PSNR and SSIM of 8-bit images.

A -> B is scored on (face, teacher(face)) pairs, B -> A on (teacher(face), face); the faces are read without
augmentation. Beside the model, the same scores of doing nothing (output = input) show how much of the
number the model earned. SSIM is scikit-image's (7x7 windows, per channel, data range 255). A generator or pack
with an alpha head is scored on what it shows: its colour composited over the input with its alpha.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from skimage.metrics import structural_similarity

from lensengine.errors import LensEngineError
from lensengine_trainers.common.tensors import images_to_tensor, tensor_to_images
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.teacher import TeacherLens
from lensengine_trainers.data.training_data import TeacherSamples
from lensengine_trainers.pix2pix.model import shown_image

NO_AUGMENTATION = AugmentConfig(zoom=1.0, flip=False)
PSNR_CAP_DB = 99.0


def teacher_pairs(faces: FaceFolder, teacher: TeacherLens, size: int, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets), each N x size x size x 3 uint8 BGR, for ``direction`` "AtoB" or "BtoA"."""
    samples = TeacherSamples(faces, teacher, size, NO_AUGMENTATION)
    drawn = [samples.sample(i, np.random.default_rng(0)) for i in range(len(samples))]
    faces_a = np.stack([d["A"] for d in drawn])
    faces_b = np.stack([d["B"] for d in drawn])
    if direction == "AtoB":
        return faces_a, faces_b
    if direction == "BtoA":
        return faces_b, faces_a
    raise LensEngineError(f"direction must be AtoB or BtoA, got {direction!r}")


def psnr_db(output: np.ndarray, target: np.ndarray) -> float:
    mse = float(np.mean((output.astype(np.float64) - target.astype(np.float64)) ** 2))
    return PSNR_CAP_DB if mse == 0 else min(PSNR_CAP_DB, 10.0 * math.log10(255.0**2 / mse))


def image_scores(outputs: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """Mean PSNR (dB), SSIM and mean absolute error (8-bit levels) over images."""
    if outputs.shape != targets.shape:
        raise LensEngineError(f"outputs {outputs.shape} and targets {targets.shape} differ in shape")
    return {
        "images": len(outputs),
        "psnr_db": float(np.mean([psnr_db(o, t) for o, t in zip(outputs, targets)])),
        "ssim": float(
            np.mean([structural_similarity(o, t, channel_axis=2, data_range=255) for o, t in zip(outputs, targets)])
        ),
        "mae_8bit": float(np.mean(np.abs(outputs.astype(np.float64) - targets.astype(np.float64)))),
    }


def generator_translate(generator: torch.nn.Module) -> Callable[[np.ndarray], np.ndarray]:
    """A function N x S x S x 3 uint8 -> uint8 that runs ``generator`` (eval, no gradient) on the CPU (the
    composite for an alpha generator)."""

    def translate(images: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            batch = images_to_tensor(torch.from_numpy(images), torch.device("cpu"))
            return tensor_to_images(shown_image(batch, generator.eval()(batch))).numpy()

    return translate


def pack_translate(pack_path: str) -> Callable[[np.ndarray], np.ndarray]:
    """A function N x S x S x 3 uint8 -> uint8 that runs the face-lens pack at ``pack_path`` (ONNX Runtime)."""
    from lensengine.lenses.neural import NeuralLens

    lens = NeuralLens(pack_path, backend="onnxruntime")
    if lens.pack.kind != "face":
        raise LensEngineError(f"pack {lens.pack.name!r} is a {lens.pack.kind} lens: compare with a face lens pack")

    def translate(images: np.ndarray) -> np.ndarray:
        return shown_crops(images, lens.apply(images, np.zeros((len(images), 478, 2), np.float32)))

    return translate


def shown_crops(inputs: np.ndarray, outputs: np.ndarray) -> np.ndarray:
    """What a face lens shows for ``inputs``: its output, or for colour + alpha (N x S x S x 4 uint8) the colour
    composited over the input, rounded to uint8."""
    if outputs.shape[-1] != 4:
        return outputs
    alpha = outputs[..., 3:].astype(np.float32) / 255.0
    shown = inputs.astype(np.float32) * (1.0 - alpha) + outputs[..., :3].astype(np.float32) * alpha
    return np.clip(np.rint(shown), 0, 255).astype(np.uint8)


def measure_against_teacher(
    translate: Callable[[np.ndarray], np.ndarray], inputs: np.ndarray, targets: np.ndarray
) -> dict[str, dict[str, float]]:
    """{"model": scores of translate(inputs), "unchanged": scores of the inputs themselves} against targets."""
    return {"model": image_scores(translate(inputs), targets), "unchanged": image_scores(inputs, targets)}
