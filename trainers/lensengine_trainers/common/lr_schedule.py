"""The learning-rate schedule of CycleGAN, and of pix2pix with ``--decay-steps``: constant for
``constant_steps``, then linearly down to 0 at the end.

The position in the schedule is kept in each optimiser's parameter groups (``schedule_step``), which
checkpoints save with the optimiser, so a resumed run goes on where it stopped.
"""

from __future__ import annotations

import torch

from lensengine.errors import LensEngineError


def lr_factor(step: int, constant_steps: int, decay_steps: int) -> float:
    """The base rate's multiplier after ``step`` updates: 1 up to ``constant_steps``, 0 after all of them."""
    if step <= constant_steps:
        return 1.0
    if decay_steps == 0:
        return 0.0
    return max(0.0, 1.0 - (step - constant_steps) / decay_steps)


class LinearDecaySchedule:
    """Sets each update's learning rate: call ``apply(optimizer)`` right before ``optimizer.step()``."""

    def __init__(self, base_lr: float, constant_steps: int, decay_steps: int) -> None:
        if base_lr <= 0 or constant_steps < 0 or decay_steps < 0:
            raise LensEngineError(
                "--lr must be > 0 and the constant and decay steps >= 0, "
                f"got {base_lr}, {constant_steps}, {decay_steps}"
            )
        self.base_lr = base_lr
        self.constant_steps = constant_steps
        self.decay_steps = decay_steps

    def apply(self, optimizer: torch.optim.Optimizer) -> float:
        """Set the rate of the coming update and count it; returns the rate."""
        rate = 0.0
        for group in optimizer.param_groups:
            step = int(group.get("schedule_step", 0))
            rate = self.base_lr * lr_factor(step, self.constant_steps, self.decay_steps)
            group["lr"] = rate
            group["schedule_step"] = step + 1
        return rate
