"""Data-parallel training under ``torchrun``: one process per GPU (NCCL) or per group of CPU cores (gloo).

torchrun is recognised by its environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``); without it, or with a
world of one process, everything here is a no-op and training is the plain single-process loop.

Every network with trainable parameters is wrapped in PyTorch's DistributedDataParallel (``replicate``): at the
wrap every rank takes rank 0's weights and buffers, and during each backward pass DDP averages the gradients
over the ranks in buckets, overlapping the all-reduces with the rest of the backward pass. Each rank runs its
slice of the global batch; with equal per-rank batches the average of the per-rank mean losses is the global
batch's mean loss, so the update equals a single-process step on the global batch and the learning rate needs
no scaling. One wrapper per network, so the GAN trainers keep their own order of updates: a network's wrapper
is called for the forward passes its own optimiser learns from, and the bare network where it only passes
gradients on (a frozen discriminator judging the generator's output), so no wrapper ever waits for gradients
that do not come and none needs ``find_unused_parameters``.

A failure in one rank's data loading is agreed on by all ranks in the same step and reported by rank 0 as one
line; a rank that dies elsewhere makes the others' next collective fail (gloo) or time out (``TIMEOUT``), and
torchrun stops the rest of the job.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from lensengine.errors import LensEngineError

TIMEOUT = timedelta(minutes=10)


class RankFailed(LensEngineError):
    """Another rank of the run failed; raised on every rank, printed by rank 0 alone."""


@dataclass(frozen=True)
class World:
    """This process's place in the job: rank, number of processes, and rank on its machine."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    @property
    def main(self) -> bool:
        """Rank 0: the one process that writes checkpoints, TensorBoard, progress and results."""
        return self.rank == 0


_ENV = (("RANK", "0"), ("WORLD_SIZE", "1"), ("LOCAL_RANK", "0"))


def launched() -> World:
    """The world torchrun's environment describes (a single process when not under torchrun)."""
    try:
        return World(*(int(os.environ.get(name, default)) for name, default in _ENV))
    except ValueError:
        raise LensEngineError("RANK, WORLD_SIZE and LOCAL_RANK must be integers: start the run with torchrun") from None


def current() -> World:
    """The world of the joined process group, or a single process when none is joined."""
    if not (dist.is_available() and dist.is_initialized()):
        return World()
    return World(dist.get_rank(), dist.get_world_size(), launched().local_rank)


def _backend() -> str:
    if torch.cuda.is_available() and dist.is_nccl_available():
        return "cpu:gloo,cuda:nccl"  # NCCL for tensors on GPUs, gloo for those on the CPU
    return "gloo"


@contextmanager
def session() -> Iterator[World]:
    """Join torchrun's process group for the duration of the block (once: an inner session reuses it)."""
    world = launched()
    if not world.distributed or dist.is_initialized():
        yield current()
        return
    if not dist.is_available():
        raise LensEngineError("this torch build has no torch.distributed: run with one process")
    if torch.cuda.is_available() and world.local_rank < torch.cuda.device_count():
        torch.cuda.set_device(world.local_rank)
    dist.init_process_group(_backend(), timeout=TIMEOUT)
    try:
        yield current()
    finally:
        dist.destroy_process_group()


def rank_device(name: str) -> str:
    """The device a torchrun process trains on when asked for ``name``: GPU ``LOCAL_RANK`` for auto or cuda."""
    world = launched()
    if not world.distributed:
        return name
    if name.startswith("cuda:"):
        raise LensEngineError(
            f"--device {name}: under torchrun every process takes the GPU of its LOCAL_RANK; use --device cuda"
        )
    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        per_machine = int(os.environ.get("LOCAL_WORLD_SIZE", world.size))
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if 0 < count < per_machine:  # with no GPU at all, resolve_device says so
            raise LensEngineError(
                f"torchrun starts {per_machine} processes on this machine, but torch sees {count} CUDA GPUs: "
                f"use --nproc-per-node {count} (one process per GPU)"
            )
        return f"cuda:{world.local_rank}"
    return name


def rank_batch(global_batch: int, world: World) -> int:
    """The per-rank batch: the global batch split evenly, or a one-line error when it does not split."""
    if global_batch % world.size:
        raise LensEngineError(
            f"--batch-size {global_batch} does not split evenly over {world.size} processes: "
            f"use a multiple of {world.size} (it is the global batch, split over the processes)"
        )
    return global_batch // world.size


@contextmanager
def collectives() -> Iterator[None]:
    """Turn a failed collective (a peer closed the connection or timed out) into a one-line RankFailed."""
    try:
        yield
    except RuntimeError as error:  # DistBackendError included
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RankFailed(f"lost contact with another process of the run ({first}): see its error above") from None


def _collective(function, *args, **kwargs):
    with collectives():
        return function(*args, **kwargs)


def replicate(networks: dict[str, nn.Module], device: torch.device) -> dict[str, nn.Module]:
    """What a model's ``train_step`` calls for the forward passes that train each network: under torchrun the
    network wrapped in DistributedDataParallel (the wrap gives every rank rank 0's weights and buffers), in one
    process the network itself. Networks without trainable parameters (CycleGAN's fake pools) stay bare."""
    if not current().distributed:
        return dict(networks)
    device_ids = [device.index] if device.type == "cuda" else None
    replicas = {}
    for name, net in networks.items():
        trainable = any(parameter.requires_grad for parameter in net.parameters())
        with collectives():
            replicas[name] = DistributedDataParallel(net, device_ids=device_ids) if trainable else net
    return replicas


def mean_losses(losses: dict[str, float], device: torch.device) -> dict[str, float]:
    """Every rank's losses averaged over the ranks (the global batch's losses for equal per-rank batches)."""
    world = current()
    if not world.distributed or not losses:
        return losses
    values = torch.tensor(list(losses.values()), dtype=torch.float64, device=device)
    _collective(dist.all_reduce, values)
    return dict(zip(losses, (values / world.size).tolist()))


def agree(error: Exception | None, step: int, device: torch.device) -> None:
    """Called by every rank at the same point of a step: if any rank failed, every rank raises.

    The failing rank re-raises its own error; rank 0 raises it as a one-line LensEngineError naming the rank;
    the other ranks raise a RankFailed, which the command line does not print.
    """
    world = current()
    if not world.distributed:
        if error is not None:
            raise error
        return
    failed = torch.tensor([0 if error is None else 1], device=device)
    _collective(dist.all_reduce, failed, op=dist.ReduceOp.MAX)
    if not int(failed.item()):
        return
    message = None if error is None else _one_line(error)
    messages: list[str | None] = [None] * world.size
    _collective(dist.all_gather_object, messages, message)
    if error is not None:
        raise error
    rank, first = next((r, m) for r, m in enumerate(messages) if m is not None)
    raise RankFailed(f"rank {rank} failed at step {step}: {first}")


def _one_line(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return text if isinstance(error, LensEngineError) else f"{type(error).__name__}: {text}"


def synchronize(device: torch.device) -> None:
    """Wait until every rank gets here (rank 0 after writing a checkpoint the others may read next)."""
    if current().distributed:
        _collective(dist.all_reduce, torch.zeros(1, device=device))
