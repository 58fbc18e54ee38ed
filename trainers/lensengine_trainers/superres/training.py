"""An SR run: the shared loop (loop.py), stopped every ``eval_every`` steps to score the held-out images.

The loop has no evaluation hook, so the run is a chain of loop calls, each resuming from the checkpoint the one
before it wrote at its last step (the loop's resume is exact: the chain trains the same weights as one call).
Between calls the held-out PSNR and SSIM, with bicubic's beside them, go to TensorBoard under
``<run>/tensorboard/heldout`` (a run of its own, so the loop's purge on resume leaves them alone); under
torchrun every process scores (the weights are the same everywhere) and rank 0 alone writes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from torch.utils.tensorboard import SummaryWriter

from lensengine.errors import LensEngineError
from lensengine_trainers.common.checkpoint import Checkpoint, read_checkpoint
from lensengine_trainers.common.distributed import current
from lensengine_trainers.common.loop import LoopConfig, TrainResult, train
from lensengine_trainers.superres.heldout import HeldOutScores, HeldOutSet
from lensengine_trainers.superres.model import SuperResModel

HELDOUT_LOG = "heldout"


@dataclass
class SuperResResult:
    """The loop's result for the last segment and the held-out scores after it."""

    train: TrainResult
    scores: HeldOutScores


def train_superres(
    model: SuperResModel,
    samples,
    heldout: HeldOutSet,
    data: dict,
    loop: LoopConfig,
    run_dir: str | Path,
    eval_every: int = 500,
    resume: Checkpoint | None = None,
) -> SuperResResult:
    """Train ``model`` up to ``loop.steps`` steps, scoring ``heldout`` every ``eval_every`` steps and at the end."""
    if eval_every < 1:
        raise LensEngineError(f"--eval-every must be 1 or more, got {eval_every}")
    run_dir = Path(run_dir)
    step = resume.step if resume is not None else 0
    writer = SummaryWriter(str(run_dir / "tensorboard" / HELDOUT_LOG)) if current().main else None
    try:
        while True:
            end = min(loop.steps, (step // eval_every + 1) * eval_every)
            result = train(model, samples, data, replace(loop, steps=end), run_dir, resume=resume)
            scores = heldout.evaluate(model.upscale_images)
            if writer is not None:
                for name, value in scores.as_dict().items():
                    if name != "images":
                        writer.add_scalar(f"heldout/{name}", value, end)
                writer.flush()
            step = end
            if step >= loop.steps:
                return SuperResResult(result, scores)
            resume = read_checkpoint(result.checkpoint)
    finally:
        if writer is not None:
            writer.close()
