"""Which samples each training step sees: an endless stream of shuffled epochs, cut into batches by step.

Step ``s`` takes stream positions ``s * batch_size`` to ``(s + 1) * batch_size - 1``; position ``p`` is sample
``epoch_order(seed, p // count)[p % count]``. Batches never drop or repeat a sample within an epoch, a dataset
smaller than one batch still works, and a run can start at any step.

Under torchrun the global batch of each step is drawn as above and rank ``r`` of ``n`` takes its ``r``-th
equal slice, so the samples and their augmentation are the same whatever the number of processes, and a
checkpoint resumes at another world size with the same data.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import Dataset, Sampler

from lensengine_trainers.common.randomness import epoch_order, sample_rng

# One sample as the batch sampler names it: (dataset index, step, position in the batch).
SampleKey = tuple[int, int, int]


class StepBatches(Sampler[list[SampleKey]]):
    """The batches of steps ``start_step`` to ``end_step - 1``, as lists of sample keys; with ``shard``
    (rank, number of ranks), this rank's slice of each global batch of ``batch_size`` samples."""

    def __init__(
        self, count: int, batch_size: int, seed: int, start_step: int, end_step: int, shard: tuple[int, int] = (0, 1)
    ):
        self.count = count
        self.batch_size = batch_size
        self.seed = seed
        self.start_step = start_step
        self.end_step = end_step
        rank, ranks = shard
        self.slots = range(rank * batch_size // ranks, (rank + 1) * batch_size // ranks)

    def __len__(self) -> int:
        return max(0, self.end_step - self.start_step)

    def __iter__(self) -> Iterator[list[SampleKey]]:
        order_epoch, order = -1, np.empty(0, np.int64)
        for step in range(self.start_step, self.end_step):
            keys = []
            for slot in self.slots:
                epoch, offset = divmod(step * self.batch_size + slot, self.count)
                if epoch != order_epoch:
                    order_epoch, order = epoch, epoch_order(self.seed, epoch, self.count)
                keys.append((int(order[offset]), step, slot))
            yield keys


class KeyedSamples(Dataset):
    """A torch Dataset over a sample source: key (index, step, slot) -> dict of uint8 HxWx3 tensors.

    ``samples`` has ``__len__`` and ``sample(index, rng) -> dict[str, np.ndarray]``.
    """

    def __init__(self, samples, seed: int):
        self.samples = samples
        self.seed = seed

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, key: SampleKey) -> dict[str, torch.Tensor]:
        index, step, slot = key
        drawn = self.samples.sample(index, sample_rng(self.seed, step, slot))
        return {name: torch.from_numpy(np.ascontiguousarray(image)) for name, image in drawn.items()}
