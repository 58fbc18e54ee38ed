"""The shared training loop: data order, seeds, device and mixed precision, logging, checkpoints, resume.

A run writes into its folder::

    <run>/checkpoints/step_00001000/   portable checkpoints (checkpoint.py), the last ``keep_checkpoints`` kept
    <run>/tensorboard/                 loss curves, steps per second, image grids (input | output | target)

Resuming from a checkpoint taken after step k continues with step k exactly as an unbroken run would: same
weights, optimiser moments, loss scale, samples, augmentation and dropout (randomness.py). On the CPU the next
steps are bit-identical; on CUDA they are with ``deterministic`` (slower kernels), else equal to rounding.

Under ``torchrun`` (distributed.py) every process trains on its slice of each step's global batch of
``batch_size`` samples, DistributedDataParallel averages the gradients over the processes, and rank 0 alone
writes checkpoints, TensorBoard and the progress bar. The samples of a step do not depend on the number of
processes, so a run resumes at another world size with the same data (only dropout masks and CycleGAN's
per-process fake pools follow the world size).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from lensengine.errors import LensEngineError
from lensengine_trainers.common.accelerate import accelerate
from lensengine_trainers.common.checkpoint import (
    Checkpoint,
    checkpoint_folder,
    load_networks,
    load_optimizers,
    run_checkpoints,
    save_checkpoint,
)
from lensengine_trainers.common.distributed import (
    World,
    agree,
    mean_losses,
    rank_batch,
    rank_device,
    replicate,
    session,
    synchronize,
)
from lensengine_trainers.common.precision import AMP_DTYPES, Precision
from lensengine_trainers.common.randomness import seed_everything, torch_step_seed
from lensengine_trainers.common.tensors import image_grid, images_to_tensor
from lensengine_trainers.common.training_model import TrainingModel
from lensengine_trainers.data.batches import KeyedSamples, StepBatches


@dataclass
class LoopConfig:
    """How long and where to train, and how often to log and save.

    steps: total steps of the run (a resumed run goes on up to this number).
    batch_size: samples per step, over all processes of a torchrun job (each takes an equal share).
    device: "auto" (CUDA when available), "cpu", "cuda" or "cuda:N" (under torchrun: GPU LOCAL_RANK).
    amp: autocast on CUDA (ignored on the CPU), in ``amp_dtype``: float16 (with a GradScaler) or bfloat16.
    compile: torch.compile every network (faster steps on GPUs after a slow first one).
    deterministic: deterministic CUDA kernels (bit-exact resume on GPUs, slower).
    log_every / image_every / checkpoint_every: in steps; the last step always gets a checkpoint.
    keep_checkpoints: how many of the newest checkpoints to keep.
    workers: DataLoader worker processes per training process, which decode, augment and run the on-the-fly
        teacher (0: load in the training process).
    """

    steps: int = 10_000
    batch_size: int = 1
    seed: int = 0
    device: str = "auto"
    amp: bool = True
    amp_dtype: str = "float16"
    compile: bool = False
    deterministic: bool = False
    log_every: int = 50
    image_every: int = 500
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3
    workers: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "log_every", "image_every", "checkpoint_every", "keep_checkpoints"):
            if getattr(self, name) < 1:
                raise LensEngineError(f"--{name.replace('_', '-')} must be 1 or more, got {getattr(self, name)}")
        if self.workers < 0:
            raise LensEngineError(f"--workers must be 0 or more, got {self.workers}")
        if self.amp_dtype not in AMP_DTYPES:
            raise LensEngineError(f"--amp-dtype must be one of {', '.join(AMP_DTYPES)}, got {self.amp_dtype!r}")


@dataclass
class TrainResult:
    """What a run did: the step it reached, its last checkpoint, its last logged losses and its speed."""

    step: int
    checkpoint: Path
    losses: dict[str, float] = field(default_factory=dict)
    steps_per_second: float = 0.0


def resolve_device(name: str) -> torch.device:
    """The torch device for ``name`` (under torchrun, auto and cuda mean this process's GPU); asking for CUDA
    where there is none is a LensEngineError."""
    name = rank_device(name)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise LensEngineError(f"unknown device {name!r}: use auto, cpu, cuda or cuda:N") from None
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (device.index or 0) >= count:
            raise LensEngineError(
                f"device {name} asked for, but torch sees {count} CUDA GPUs: use --device auto or cpu"
            )
    return device


def configure_determinism(device: torch.device, deterministic: bool) -> None:
    """Deterministic CUDA kernels when asked (an op without one warns rather than stops the run), else cuDNN
    autotuning. The CPU kernels used here are deterministic as they are."""
    if device.type != "cuda":
        return
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    torch.backends.cudnn.benchmark = not deterministic


class LossWindow:
    """Running means of the losses since the last log line."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.count = 0

    def add(self, losses: dict[str, float]) -> None:
        for name, value in losses.items():
            self.sums[name] = self.sums.get(name, 0.0) + value
        self.count += 1

    def means(self) -> dict[str, float]:
        means = {name: total / self.count for name, total in self.sums.items()}
        self.sums, self.count = {}, 0
        return means


def _check_finite(losses: dict[str, float], step: int) -> None:
    bad = {name: value for name, value in losses.items() if not math.isfinite(value)}
    if bad:
        shown = ", ".join(f"{name}={value}" for name, value in bad.items())
        raise LensEngineError(
            f"training diverged at step {step} ({shown}): lower --lr, or resume from an earlier checkpoint"
        )


def _prune(run_dir: Path, keep: int) -> None:
    for old in run_checkpoints(run_dir)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _next_batch(batches) -> tuple[dict | None, Exception | None]:
    """The next batch, or the error that loading it raised (agreed on by every rank before it is raised)."""
    try:
        return next(batches), None
    except Exception as error:  # re-raised by agree()
        return None, error


def train(
    model: TrainingModel,
    samples,
    data: dict,
    config: LoopConfig,
    run_dir: str | Path,
    resume: Checkpoint | None = None,
) -> TrainResult:
    """Train ``model`` on ``samples`` (``__len__`` + ``sample(index, rng)``) up to ``config.steps`` steps.

    ``data`` describes the dataset (JSON) for checkpoints and provenance. ``resume`` continues a run. Under
    torchrun this process trains its share of every batch (joining the process group unless already joined).
    """
    if len(samples) == 0:
        raise LensEngineError("the training data holds no samples: check --pairs / --faces")
    with session() as world:
        return _train(model, samples, data, config, Path(run_dir), resume, world)


def _log(writer: SummaryWriter | None, bar: tqdm, losses: dict, steps_per_second: float, images_per_second, step):
    if writer is None:
        return
    for name, value in losses.items():
        writer.add_scalar(f"loss/{name}", value, step)
    writer.add_scalar("speed/steps_per_second", steps_per_second, step)
    writer.add_scalar("speed/images_per_second", images_per_second, step)
    bar.set_postfix({name: f"{value:.3f}" for name, value in losses.items()})


def _train(
    model: TrainingModel,
    samples,
    data: dict,
    config: LoopConfig,
    run_dir: Path,
    resume: Checkpoint | None,
    world: World,
) -> TrainResult:
    device = model.device
    rank_batch(config.batch_size, world)
    configure_determinism(device, config.deterministic)
    seed_everything(config.seed)
    precision = Precision(device, config.amp, config.amp_dtype)
    start = 0
    if resume is not None:
        load_networks(resume, model.networks)
        load_optimizers(resume, model.optimizers)
        precision.load_state_dict(resume.meta.get("scaler", {}))
        start = resume.step
    if start >= config.steps:
        raise LensEngineError(f"the run is already at step {start} of {config.steps}: pass a larger --steps")
    accelerate(model.networks, device, config.compile)
    model.replicas = replicate(model.networks, device)

    def checkpoint(step: int, losses: dict[str, float]) -> Path:
        meta = {
            "step": step,
            "model": {"kind": model.kind, "config": model.config},
            "data": data,
            "loop": asdict(config),
            "scaler": precision.state_dict(),
            "losses": losses,
        }
        folder = save_checkpoint(checkpoint_folder(run_dir, step), meta, model.networks, model.optimizers)
        _prune(run_dir, config.keep_checkpoints)
        return folder

    loader = DataLoader(
        KeyedSamples(samples, config.seed),
        batch_sampler=StepBatches(
            len(samples), config.batch_size, config.seed, start, config.steps, (world.rank, world.size)
        ),
        num_workers=config.workers,
        pin_memory=device.type == "cuda",
    )
    writer = SummaryWriter(str(run_dir / "tensorboard"), purge_step=start) if world.main else None
    if writer is not None and start == 0:
        settings = {"model": model.config, "data": data, "loop": asdict(config), "processes": world.size}
        writer.add_text("settings", f"```\n{json.dumps(settings, indent=2)}\n```")
    window, logged = LossWindow(), {}
    completed, updating = start, False
    began = time.perf_counter()
    bar = tqdm(
        total=config.steps, initial=start, desc=model.kind, unit="step", disable=not (config.progress and world.main)
    )
    batches = iter(loader)
    try:
        for step in range(start, config.steps):
            uint8_batch, failure = _next_batch(batches)
            agree(failure, step, device)
            batch = {name: images_to_tensor(images, device) for name, images in uint8_batch.items()}
            torch.manual_seed(torch_step_seed(config.seed, step, world.rank))
            updating = True
            losses = model.train_step(batch, precision)
            precision.update()
            completed, updating = step + 1, False
            losses = mean_losses(losses, device)
            _check_finite(losses, step)
            window.add(losses)
            bar.update(1)
            last = completed == config.steps
            if completed % config.log_every == 0 or last:
                logged = window.means()
                rate = (completed - start) / (time.perf_counter() - began)
                _log(writer, bar, logged, rate, rate * config.batch_size, completed)
            if writer is not None and (completed % config.image_every == 0 or last):
                writer.add_image("input | output | target", image_grid(model.sample_images(batch)), completed)
            if world.main and completed % config.checkpoint_every == 0 and not last:
                checkpoint(completed, logged)
    except KeyboardInterrupt:
        # A half-done update (one optimiser stepped, another not) must not be saved as a finished step.
        if world.main and completed > start and not updating:
            bar.write(f"interrupted: saved {checkpoint(completed, logged)}; resume with --resume {run_dir}")
        raise
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    elapsed = time.perf_counter() - began
    final = checkpoint(config.steps, logged) if world.main else checkpoint_folder(run_dir, config.steps)
    synchronize(device)  # the final checkpoint exists on every rank's return
    return TrainResult(config.steps, final, logged, (config.steps - start) / elapsed)
