"""What the shared training loop needs from a model (pix2pix, distillation, and later CycleGAN, style, SR).

To add a model, write one module with a class that has:

- ``kind``: a short name ("pix2pix"), stored in checkpoints and used to rebuild the model on resume;
- ``config``: a JSON-able dict of every knob, such that ``build_model(kind, config, device)`` rebuilds it;
- ``device``: the torch device its networks live on;
- ``data_size``: the crop side its training data is read at;
- ``networks``: dict name -> nn.Module of everything trained (saved in checkpoints; "G" is what export packs);
- ``optimizers``: dict name -> optimiser (saved in checkpoints with their state);
- ``replicas``: dict name -> what ``train_step`` calls for the forward passes a network learns from; set to
  ``dict(networks)`` in ``__init__``, and by the loop to DistributedDataParallel wrappers under torchrun
  (distributed.replicate). Where a network only passes gradients on to another (a frozen discriminator
  judging the generator), call the bare network instead;
- ``train_step(batch, precision) -> dict[str, float]``: one update from a batch (dict of N x 3 x H x W float
  tensors in [-1, 1], BGR, keyed "A", "B"), doing forward passes inside ``precision.autocast()`` and each update
  with ``precision.step(loss, optimizer)`` (never call ``backward()`` or ``optimizer.step()`` yourself);
  returns the batch's mean losses to log;
- ``sample_images(batch) -> list[tensor]``: input, output and target tensors for the TensorBoard image grid,
  computed without gradients and without changing any state;

and register its builder in models.py. The loop takes care of seeds, devices, mixed precision, data order,
logging, checkpoints and resuming, and under torchrun of the processes (each gets its slice of every batch).
"""

from __future__ import annotations

from typing import Protocol

import torch
from torch import nn

from lensengine_trainers.common.precision import Precision


class TrainingModel(Protocol):
    kind: str
    config: dict
    device: torch.device
    data_size: int
    networks: dict[str, nn.Module]
    optimizers: dict[str, torch.optim.Optimizer]
    replicas: dict[str, nn.Module]

    def train_step(self, batch: dict[str, torch.Tensor], precision: Precision) -> dict[str, float]: ...

    def sample_images(self, batch: dict[str, torch.Tensor]) -> list[torch.Tensor]: ...
