"""``pix2pix`` and ``distill``: train a generator with the shared loop, as a new run or resumed.

A new run takes its settings from a preset, then from the options given. A resumed run (``--resume``) takes
every setting that shapes the result from its checkpoint; only where the data lives, how long to train and how
to run (device, workers, logging) may change, so that it goes on exactly as an unbroken run would.
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from lensengine.errors import LensEngineError
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.gan_loss import GAN_MODES
from lensengine_trainers.common.loop import LoopConfig, resolve_device, train
from lensengine_trainers.common.run_options import FIXED_ON_RESUME, add_run_options, apply_threads, given, loop_config
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.data.training_data import DataSpec, describe_data, open_samples
from lensengine_trainers.model_kinds import build_model
from lensengine_trainers.pix2pix.model import DIRECTIONS, PRESETS

MODEL_OPTIONS = (
    "size",
    "ngf",
    "num_downs",
    "ndf",
    "n_layers",
    "norm",
    "dropout",
    "gan_mode",
    "lambda_l1",
    "lambda_l2",
    "lambda_gan",
    "lr",
    "beta1",
    "beta2",
    "direction",
    "alpha",
    "coords",
    "lambda_alpha",
    "lambda_alpha_l1",
    "lambda_alpha_tv",
    "decay_steps",
    "gan",
)
AUGMENT_OPTIONS = tuple(f.name for f in fields(AugmentConfig))
DATA_OPTIONS = ("pairs", "faces", "on_the_fly_teacher", "teacher_size")
DEFAULT_PRESET = {"pix2pix": "full", "distill": "slim32"}


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data (one of)")
    group.add_argument("--pairs", help="pair folder of A|B images (make-pairs)")
    group.add_argument("--faces", help="face folder (extract-faces, capture)")
    group.add_argument(
        "--on-the-fly-teacher",
        metavar="LENS",
        help="with --faces: make every B with this face lens after augmenting A (exact pairs)",
    )
    group.add_argument(
        "--teacher-size",
        type=int,
        help="crop side the on-the-fly teacher draws at (default: its own crop size); the training size gives crisp "
        "targets for a lens that works at any size",
    )


def _add_augment_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("augmentation (the same parameters on A and B)")
    group.add_argument("--zoom", type=float, help="largest random zoom of resize-and-crop (286/256)")
    group.add_argument(
        "--no-flip",
        dest="flip",
        action="store_false",
        default=None,
        help="no left-right flips (for asymmetric effects with --pairs)",
    )
    group.add_argument("--rotate", type=float, help="largest rotation in degrees (0)")
    group.add_argument("--brightness", type=float, help="largest relative brightness change (0)")
    group.add_argument("--contrast", type=float, help="largest relative contrast change (0)")
    group.add_argument("--saturation", type=float, help="largest relative saturation change (0)")
    group.add_argument("--hue", type=float, help="largest hue shift, fraction of the colour wheel (0)")
    group.add_argument("--blur", type=float, help="largest Gaussian blur sigma in pixels (0)")
    group.add_argument("--noise", type=float, help="largest noise std in 8-bit levels (0)")
    group.add_argument("--jpeg", type=int, help="lowest JPEG quality, 1..95 (0: off)")
    group.add_argument(
        "--degrade", choices=("input", "target", "both"), help="which side blur, noise and JPEG hit (input)"
    )
    group.add_argument("--tint", type=float, help="largest per-channel colour gain change, half of the time (0)")
    group.add_argument("--light", type=float, help="largest directional lighting ramp, half of the time (0)")
    group.add_argument(
        "--eyewear", type=float, help="share of faces that get random glasses before the teacher draws (0)"
    )


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model")
    presets = "; ".join(
        f"{name}: {p['size']} px, ngf {p['ngf']}, {p['num_downs']} levels, ndf {p['ndf']}"
        for name, p in PRESETS.items()
    )
    group.add_argument("--preset", choices=sorted(PRESETS), help=f"sizes and widths ({presets})")
    group.add_argument("--size", type=int, help="crop side the generator works at")
    group.add_argument("--ngf", type=int, help="generator width")
    group.add_argument("--num-downs", type=int, help="U-Net levels (size must be a multiple of 2**levels)")
    group.add_argument("--ndf", type=int, help="discriminator width (preset: 64 full, 32 slim)")
    group.add_argument("--n-layers", type=int, help="discriminator layers (3: 70x70 patches)")
    group.add_argument("--norm", choices=("instance", "batch"), help="norm layers (instance)")
    group.add_argument("--no-dropout", dest="dropout", action="store_false", default=None, help="no dropout")
    group.add_argument("--gan-mode", choices=GAN_MODES, help="adversarial loss (vanilla)")
    group.add_argument("--lambda-l1", type=float, help="weight of the L1 loss (100)")
    group.add_argument("--lambda-l2", type=float, help="weight of the squared error (0; keeps details L1 drops)")
    group.add_argument("--lambda-gan", type=float, help="weight of the GAN loss (1; 0: no discriminator)")
    group.add_argument("--lr", type=float, help="Adam learning rate (2e-4)")
    group.add_argument("--beta1", type=float, help="Adam beta1 (0.5)")
    group.add_argument("--beta2", type=float, help="Adam beta2 (0.999)")
    group.add_argument("--direction", choices=DIRECTIONS, help="AtoB (default) or BtoA")
    group.add_argument(
        "--alpha",
        action="store_true",
        default=None,
        help="alpha head: the net draws colour + alpha, composited over its input (face lenses that add things)",
    )
    group.add_argument(
        "--coords",
        action="store_true",
        default=None,
        help="CoordConv: the U-Net also sees each pixel's x and y (draws crisply at places fixed in aligned crops)",
    )
    group.add_argument(
        "--decay-steps", type=int, help="last steps over which the rate falls linearly to 0 (0: constant rate)"
    )
    group.add_argument("--lambda-alpha", type=float, help="weight of the alpha's BCE to a teacher's alpha (10)")
    group.add_argument("--lambda-alpha-l1", type=float, help="weight of the alpha's L1 sparsity (0.1)")
    group.add_argument("--lambda-alpha-tv", type=float, help="weight of the alpha's total variation (0.1)")


def add_parser(sub) -> None:
    pix2pix = sub.add_parser("pix2pix", help="train a pix2pix generator (U-Net + PatchGAN)")
    distill = sub.add_parser("distill", help="distil a trained generator into a slim student")
    distill.add_argument(
        "--teacher-checkpoint",
        metavar="RUN_OR_CHECKPOINT",
        help="the trained generator to imitate (a pix2pix run or checkpoint)",
    )
    distill.add_argument("--gan", action="store_true", default=None, help="add the PatchGAN loss to the L1 loss")
    for parser, kind in ((pix2pix, "pix2pix"), (distill, "distill")):
        _add_data_options(parser)
        _add_augment_options(parser)
        _add_model_options(parser)
        add_run_options(parser, {}, batch_unit="samples")
        parser.set_defaults(handler=run, kind=kind)
    pix2pix.set_defaults(gan=None, teacher_checkpoint=None)


def _degrade_sides(choice: str, direction: str) -> str:
    source, target = ("A", "B") if direction == "AtoB" else ("B", "A")
    return {"input": source, "target": target, "both": "AB"}[choice]


def _absolute(path: str | None) -> str | None:
    return str(Path(path).resolve()) if path else None


def _data_spec(args: argparse.Namespace, augment: AugmentConfig) -> DataSpec:
    teacher_size = getattr(args, "teacher_size", None)
    return DataSpec(_absolute(args.pairs), _absolute(args.faces), args.on_the_fly_teacher, augment, teacher_size)


def new_run(args: argparse.Namespace) -> tuple[dict, DataSpec, LoopConfig, Path]:
    """Settings of a new run: preset, then the options given."""
    if not args.out:
        raise LensEngineError("a new run needs --out RUN_FOLDER (or --resume to go on with one)")
    model = {**PRESETS[args.preset or DEFAULT_PRESET[args.kind]], **given(args, MODEL_OPTIONS)}
    if args.kind == "distill":
        if not args.teacher_checkpoint:
            raise LensEngineError("distill needs --teacher-checkpoint RUN_OR_CHECKPOINT (a trained pix2pix run)")
        model["teacher"] = _absolute(args.teacher_checkpoint)
    augment = given(args, AUGMENT_OPTIONS)
    augment["degrade"] = _degrade_sides(augment.get("degrade", "input"), model.get("direction", "AtoB"))
    loop = loop_config(args, {})
    if model.get("decay_steps", 0) > loop.steps:
        raise LensEngineError(f"--decay-steps {model['decay_steps']} is more than --steps {loop.steps}")
    model["constant_steps"] = loop.steps - model.get("decay_steps", 0)
    return model, _data_spec(args, AugmentConfig(**augment)), loop, Path(args.out)


def resumed_run(args: argparse.Namespace):
    """Settings of a resumed run: the checkpoint's, with new data paths, length and run options."""
    checkpoint = read_checkpoint(args.resume)
    if checkpoint.model_kind != args.kind:
        raise LensEngineError(f"{checkpoint.folder} is a {checkpoint.model_kind} run: resume it with that command")
    settings = MODEL_OPTIONS + AUGMENT_OPTIONS + FIXED_ON_RESUME + ("preset",)
    fixed = [name for name in settings if getattr(args, name) is not None]
    if fixed:
        option = "--" + fixed[0].replace("_", "-")
        raise LensEngineError(
            f"{option} cannot change when resuming: start a new run (--out) to train with other settings"
        )
    model = checkpoint.model_config
    if args.kind == "distill" and args.teacher_checkpoint:
        model["teacher"] = _absolute(args.teacher_checkpoint)
    spec = DataSpec.from_json(checkpoint.meta["data"]["source"])
    if given(args, DATA_OPTIONS):
        spec = _data_spec(args, spec.augment)
    loop = loop_config(args, {}, checkpoint.meta["loop"])
    return model, spec, loop, Path(args.out) if args.out else checkpoint.folder.parent.parent, checkpoint


def run(args: argparse.Namespace) -> int:
    apply_threads(args)
    if args.resume:
        model_config, spec, loop, run_dir, checkpoint = resumed_run(args)
    else:
        (model_config, spec, loop, run_dir), checkpoint = new_run(args), None
    model = build_model(args.kind, model_config, resolve_device(loop.device), init_seed=loop.seed)
    samples = open_samples(spec, model.data_size, alpha=bool(model_config.get("alpha")))
    if checkpoint is not None:
        trained_margin = checkpoint.meta["data"]["margin"]
        if abs(samples.margin - trained_margin) > 1e-6:
            raise LensEngineError(
                f"the data was cut with margin {samples.margin}, the run was trained with {trained_margin}: "
                "resume with the run's data"
            )
    result = train(model, samples, describe_data(spec, samples), loop, run_dir, resume=checkpoint)
    losses = ", ".join(f"{name} {value:.4f}" for name, value in result.losses.items())
    print(f"{args.kind}: step {result.step} ({result.steps_per_second:.2f} steps/s), losses {losses}")
    print(f"checkpoint: {result.checkpoint}; curves: tensorboard --logdir {run_dir / 'tensorboard'}")
    return 0
