"""Data-parallel training under ``torchrun``: one process per GPU (NCCL) or per group of CPU cores (gloo).

torchrun is recognised by its environment (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``); without it, or with a
world of one process, everything here is a no-op and training is the plain single-process loop.

The arithmetic is DistributedDataParallel's: every rank starts from rank 0's weights and buffers, runs its
slice of the global batch, and before each optimiser step the gradients of that optimiser's parameters are
averaged over the ranks (bucketed all-reduces). With equal per-rank batches the average of the per-rank mean
losses is the global batch's mean loss, so the update equals a single-process step on the global batch and the
learning rate needs no scaling. The averaging sits in ``Precision.step`` instead of in DDP wrappers, so the GAN
trainers, which freeze a discriminator for the generator's update, run a network several times per step and
step two optimisers, need neither ``find_unused_parameters`` nor a wrapper per network.

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
from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors

from lensengine.errors import LensEngineError

TIMEOUT = timedelta(minutes=10)
BUCKET_BYTES = 25 * 2**20


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


def _collective(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except RuntimeError as error:  # DistBackendError included: a peer closed or timed out
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RankFailed(f"lost contact with another process of the run ({first}): see its error above") from None


def _buckets(tensors: list[torch.Tensor]) -> Iterator[list[torch.Tensor]]:
    """The tensors in runs of one device and dtype, each of at most about BUCKET_BYTES."""
    bucket, size = [], 0
    for tensor in tensors:
        if bucket and (
            (tensor.device, tensor.dtype) != (bucket[0].device, bucket[0].dtype)
            or size + tensor.numel() * tensor.element_size() > BUCKET_BYTES
        ):
            yield bucket
            bucket, size = [], 0
        bucket.append(tensor)
        size += tensor.numel() * tensor.element_size()
    if bucket:
        yield bucket


def average_gradients(optimizer: torch.optim.Optimizer) -> None:
    """Replace the gradients of ``optimizer``'s parameters by their mean over the ranks (what DDP does)."""
    world = current()
    if not world.distributed:
        return
    grads = [p.grad for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
    for bucket in _buckets(grads):
        flat = _flatten_dense_tensors(bucket)
        _collective(dist.all_reduce, flat)
        flat /= world.size
        for grad, mean in zip(bucket, _unflatten_dense_tensors(flat, bucket)):
            grad.copy_(mean)


def broadcast_state(networks: dict[str, torch.nn.Module]) -> None:
    """Give every rank rank 0's parameters and buffers (as DDP does when it wraps a model)."""
    if not current().distributed:
        return
    for net in networks.values():
        tensors = [t.data for t in (*net.parameters(), *net.buffers())]
        for bucket in _buckets(tensors):
            flat = _flatten_dense_tensors(bucket)
            _collective(dist.broadcast, flat, src=0)
            for tensor, value in zip(bucket, _unflatten_dense_tensors(flat, bucket)):
                tensor.copy_(value)


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
