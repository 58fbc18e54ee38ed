"""Command-line options of a training run (where, how long, how often to log), shared by CycleGAN and style.

A new run takes every option given; a resumed run keeps the checkpoint's batch size and seed (they shape the
result) and may change the rest.
"""

from __future__ import annotations

import argparse
from dataclasses import fields

import torch

from lensengine.errors import LensEngineError
from lensengine_trainers.common.loop import LoopConfig

FIXED_ON_RESUME = ("batch_size", "seed")
FREE_ON_RESUME = (
    "steps",
    "device",
    "log_every",
    "image_every",
    "checkpoint_every",
    "keep_checkpoints",
    "workers",
    "progress",
)


def add_run_options(parser: argparse.ArgumentParser, batch_option: bool) -> None:
    group = parser.add_argument_group("run")
    group.add_argument("--out", help="run folder (checkpoints/, tensorboard/)")
    group.add_argument("--resume", metavar="RUN_OR_CHECKPOINT", help="go on from a run's latest (or this) checkpoint")
    group.add_argument("--steps", type=int, help="total steps")
    if batch_option:
        group.add_argument("--batch-size", type=int, help="images per step (4)")
    group.add_argument("--seed", type=int, help="seed of all randomness (0)")
    group.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    group.add_argument("--threads", type=int, help="CPU threads torch may use (default: torch's choice)")
    group.add_argument("--log-every", type=int, help="steps between loss logs (50)")
    group.add_argument("--image-every", type=int, help="steps between image grids (500)")
    group.add_argument("--checkpoint-every", type=int, help="steps between checkpoints (1000)")
    group.add_argument("--keep", dest="keep_checkpoints", type=int, help="newest checkpoints kept (3)")
    group.add_argument("--workers", type=int, help="data loader processes (0)")
    group.add_argument("--no-progress", dest="progress", action="store_false", default=None, help="no progress bar")


def given(args: argparse.Namespace, names) -> dict:
    """The options among ``names`` that were given on the command line."""
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def apply_threads(args: argparse.Namespace) -> None:
    if args.threads is not None:
        if args.threads < 1:
            raise LensEngineError(f"--threads must be 1 or more, got {args.threads}")
        torch.set_num_threads(args.threads)


def loop_config(args: argparse.Namespace, defaults: dict, saved: dict | None = None) -> LoopConfig:
    """The loop settings: ``saved`` (a resumed run's) or ``defaults``, overridden by the options given."""
    if saved is not None:
        changed = [name for name in FIXED_ON_RESUME if getattr(args, name, None) is not None]
        if changed:
            raise LensEngineError(f"--{changed[0].replace('_', '-')} cannot change when resuming: start a new run")
        return LoopConfig(**{**saved, **given(args, FREE_ON_RESUME)})
    known = {f.name for f in fields(LoopConfig)}
    return LoopConfig(**{**defaults, **given(args, [name for name in known if name != "amp"])})
