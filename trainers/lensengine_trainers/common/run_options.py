"""Command-line options of a training run (where, how long, how often to log), the same for every trainer.

A new run takes the family's defaults, overridden by every option given; a resumed run keeps the checkpoint's
batch size, seed and determinism (they shape the result) and may change the rest.
"""

from __future__ import annotations

import argparse
from dataclasses import fields

import torch

from lensengine.errors import LensEngineError
from lensengine_trainers.common.loop import LoopConfig

FIXED_ON_RESUME = ("batch_size", "seed", "deterministic")
FREE_ON_RESUME = tuple(f.name for f in fields(LoopConfig) if f.name not in FIXED_ON_RESUME)


def add_run_options(
    parser: argparse.ArgumentParser, defaults: dict, batch_option: bool = True, batch_unit: str = "images"
) -> argparse._ArgumentGroup:
    """The ``run`` option group; ``defaults`` (the family's LoopConfig overrides) fill in the help texts."""
    shown = {f.name: f.default for f in fields(LoopConfig)} | defaults
    group = parser.add_argument_group("run")
    group.add_argument("--out", help="run folder (checkpoints/, tensorboard/)")
    group.add_argument("--resume", metavar="RUN_OR_CHECKPOINT", help="go on from a run's latest (or this) checkpoint")
    group.add_argument("--steps", type=int, help=f"total steps ({shown['steps']})")
    if batch_option:
        group.add_argument(
            "--batch-size", type=int, help=f"{batch_unit} per step, over all torchrun processes ({shown['batch_size']})"
        )
    group.add_argument("--seed", type=int, help=f"seed of all randomness ({shown['seed']})")
    group.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    group.add_argument("--threads", type=int, help="CPU threads torch may use (default: torch's choice)")
    group.add_argument("--no-amp", dest="amp", action="store_false", default=None, help="no mixed precision on CUDA")
    group.add_argument(
        "--amp-dtype", choices=("float16", "bfloat16"), help="autocast type on CUDA (float16; bfloat16 on Ampere+)"
    )
    group.add_argument(
        "--compile", action="store_true", default=None, help="torch.compile the networks (faster GPU steps)"
    )
    group.add_argument("--deterministic", action="store_true", default=None, help="deterministic CUDA kernels")
    group.add_argument("--log-every", type=int, help=f"steps between loss logs ({shown['log_every']})")
    group.add_argument("--image-every", type=int, help=f"steps between image grids ({shown['image_every']})")
    group.add_argument("--checkpoint-every", type=int, help=f"steps between checkpoints ({shown['checkpoint_every']})")
    group.add_argument(
        "--keep", dest="keep_checkpoints", type=int, help=f"newest checkpoints kept ({shown['keep_checkpoints']})"
    )
    group.add_argument("--workers", type=int, help=f"data loader processes ({shown['workers']})")
    group.add_argument("--no-progress", dest="progress", action="store_false", default=None, help="no progress bar")
    return group


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
    return LoopConfig(**{**defaults, **given(args, FIXED_ON_RESUME + FREE_ON_RESUME)})
