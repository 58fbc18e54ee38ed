"""Every random number of a training run, derived from (seed, what, step): no hidden generator state.

A step's sample order, augmentation and torch randomness (dropout, ...) are pure functions of the run's seed
and the step's number. A run resumed at step k on any machine therefore draws exactly what an unbroken run
draws at step k, with no generator state to save or restore. Sample order and augmentation depend on a sample's
position in the global batch, not on how many processes share the batch (torchrun); torch's draws (dropout,
CycleGAN's fake pool) are made per process, so they follow the world size.
"""

from __future__ import annotations

import random

import numpy as np
import torch

# Separate streams, so that for example the order of epoch 3 and the augmentation of step 3 never coincide.
ORDER_STREAM = 0
SAMPLE_STREAM = 1
TORCH_STREAM = 2


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's global generators (for code outside the derived streams)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def epoch_order(seed: int, epoch: int, count: int) -> np.ndarray:
    """The shuffled order of ``count`` samples in epoch ``epoch``."""
    return np.random.default_rng([seed, ORDER_STREAM, epoch]).permutation(count)


def sample_rng(seed: int, step: int, slot: int) -> np.random.Generator:
    """The generator that augments the sample in position ``slot`` of step ``step``'s batch."""
    return np.random.default_rng([seed, SAMPLE_STREAM, step, slot])


def torch_step_seed(seed: int, step: int, rank: int = 0) -> int:
    """The seed torch's generators get before step ``step`` (a 63-bit integer) in process ``rank`` of a
    torchrun job. Rank 0 gets a single process's seed; the others their own, so that their dropout masks and
    fake-pool draws differ from rank 0's."""
    entropy = [seed, TORCH_STREAM, step] + ([rank] if rank else [])
    state = np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0]
    return int(state) >> 1
