"""CycleGAN commands for ``lensengine-train`` (registered with ``add_cyclegan_parser(subparsers)``):

cyclegan-data    unpaired trainA/ trainB/ folders from a face folder and a teacher lens (shuffled halves)
cyclegan         train a CycleGAN on a folder with trainA/ and trainB/ (new or --resume)
cyclegan-export  both directions of a run as lens packs, scored against a teacher on held-out faces
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from lensengine.errors import LensEngineError
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.loop import resolve_device, train
from lensengine_trainers.common.run_options import add_run_options, apply_threads, given, loop_config
from lensengine_trainers.common.vgg import local_imagenet_file
from lensengine_trainers.cyclegan.export import checkpoint_generator, export_direction
from lensengine_trainers.cyclegan.model import PRESETS, CycleGAN, CycleGANConfig
from lensengine_trainers.cyclegan.quality import (
    generator_translate,
    image_scores,
    measure_against_teacher,
    pack_translate,
    teacher_pairs,
)
from lensengine_trainers.cyclegan.speed import face_lens_speed
from lensengine_trainers.cyclegan.teacher_split import make_unpaired
from lensengine_trainers.cyclegan.unpaired_folder import UnpairedSamples
from lensengine_trainers.cyclegan.warm_start import warm_start
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.teacher import load_teacher

MODEL_OPTIONS = (
    "size",
    "ngf",
    "n_blocks",
    "ndf",
    "n_layers",
    "lambda_cycle",
    "lambda_identity",
    "vgg_sha256",
    "pool_size",
    "lr",
    "beta1",
    "beta2",
    "decay_steps",
    "alpha",
    "lambda_alpha_l1",
    "lambda_alpha_tv",
    "alpha_start",
    "warmup_steps",
)
AUGMENT_OPTIONS = ("zoom", "flip", "rotate", "brightness", "contrast", "saturation", "hue")
LOOP_DEFAULTS = {"steps": 10_000, "batch_size": 1}


def add_cyclegan_parser(subparsers) -> None:
    """Add ``cyclegan-data``, ``cyclegan`` and ``cyclegan-export`` to ``lensengine-train``'s subparsers."""
    data = subparsers.add_parser("cyclegan-data", help="unpaired trainA/ trainB/ from faces and a teacher lens")
    data.add_argument("--faces", required=True, help="face folder (extract-faces)")
    data.add_argument(
        "--teacher", required=True, metavar="LENS", help="face lens that makes set B (e.g. thug_glasses_classic)"
    )
    data.add_argument("--out", required=True, help="folder to write trainA/ and trainB/ into")
    data.add_argument("--variants", type=int, default=400, help="augmented faces drawn, half to A, half to B (400)")
    data.add_argument("--size", type=int, default=128, help="side of the images written (128)")
    data.add_argument("--seed", type=int, default=0, help="seed of the draws and of the split (0)")
    _add_augment_options(data)
    data.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    data.set_defaults(handler=run_data)

    cyclegan = subparsers.add_parser("cyclegan", help="train a CycleGAN on unpaired trainA/ and trainB/")
    cyclegan.add_argument("--data", help="folder holding trainA/ and trainB/ (images of any size, letterboxed)")
    _add_augment_options(cyclegan)
    group = cyclegan.add_argument_group("model")
    group.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="; ".join(
            f"{name}: {p['size']} px, ngf {p['ngf']}, {p['n_blocks']} blocks" for name, p in PRESETS.items()
        ),
    )
    group.add_argument("--size", type=int, help="side the networks work at")
    group.add_argument("--ngf", type=int, help="generator width")
    group.add_argument("--n-blocks", type=int, help="residual blocks (9 at 256 px, 6 at 128 px)")
    group.add_argument("--ndf", type=int, help="discriminator width (64)")
    group.add_argument("--n-layers", type=int, help="discriminator layers (3: 70x70 patches)")
    group.add_argument("--lambda-cycle", type=float, help="weight of the cycle loss (10)")
    group.add_argument("--lambda-identity", type=float, help="identity weight, times lambda-cycle (0.5)")
    group.add_argument(
        "--identity-features",
        choices=("auto", "pixel", "vgg"),
        default="auto",
        help="identity loss on pixels or ImageNet VGG16 features (auto: vgg when the weights are at hand)",
    )
    group.add_argument(
        "--vgg-weights",
        default="imagenet",
        help="VGG16 weights for --identity-features vgg: imagenet (cache) or a torchvision .pth path",
    )
    group.add_argument("--vgg-sha256", help="sha256 (or prefix) of a VGG16 file of your own (default: torchvision's)")
    group.add_argument("--pool-size", type=int, help="past fakes kept for the discriminators (50)")
    group.add_argument("--lr", type=float, help="Adam learning rate (2e-4)")
    group.add_argument("--beta1", type=float, help="Adam beta1 (0.5)")
    group.add_argument("--beta2", type=float, help="Adam beta2 (0.999)")
    group.add_argument("--decay-steps", type=int, help="last steps over which the rate falls to 0 (half of --steps)")
    group.add_argument(
        "--alpha",
        action="store_true",
        default=None,
        help="alpha heads: both generators draw colour + alpha, composited over their input (rgba packs)",
    )
    group.add_argument("--lambda-alpha-l1", type=float, help="weight of each alpha's mean, its sparsity (0.1)")
    group.add_argument("--lambda-alpha-tv", type=float, help="weight of each alpha's total variation (0.1)")
    group.add_argument(
        "--alpha-start",
        type=float,
        help="opacity the alphas start at (0.018: leave the faces alone; from near 0 the cycle and identity "
        "losses can shut the masks before the GAN loss opens them: start higher, e.g. 0.5, if they do)",
    )
    group.add_argument(
        "--warmup-steps",
        type=int,
        help="the cycle, identity and alpha-sparsity weights rise from 0 over these first steps (0), so the GAN "
        "loss can open an --alpha run's masks first",
    )
    group.add_argument(
        "--warm-start",
        nargs=2,
        metavar=("PACK_AB", "PACK_BA"),
        help="a new run's generators start from these lens packs' weights (a colour-only pack may start an "
        "--alpha run: its colour is kept, the alpha starts at --alpha-start)",
    )
    add_run_options(cyclegan, LOOP_DEFAULTS, batch_unit="A and B images each")
    cyclegan.set_defaults(handler=run_train)

    export = subparsers.add_parser("cyclegan-export", help="both directions of a CycleGAN run as lens packs")
    export.add_argument("--checkpoint", required=True, metavar="RUN_OR_CHECKPOINT", help="run folder or checkpoint")
    export.add_argument("--out-ab", help="pack folder for A -> B")
    export.add_argument("--name-ab", help="lens name of A -> B")
    export.add_argument("--out-ba", help="pack folder for B -> A")
    export.add_argument("--name-ba", help="lens name of B -> A")
    export.add_argument("--eval-faces", help="held-out face folder to score both directions on, with --eval-teacher")
    export.add_argument("--eval-teacher", metavar="LENS", help="face lens that made set B")
    export.add_argument(
        "--compare-ab", metavar="PACK", help="also score this face pack on the A -> B pairs (e.g. pix2pix)"
    )
    export.add_argument("--report", help="also write the scores and the packs' speed (ONNX Runtime, CPU) to this JSON")
    export.add_argument("--speed-runs", type=int, default=30, help="timed runs per pack for --report (30)")
    export.add_argument("--no-fp16", dest="fp16", action="store_false", help="no FP16 ONNX model")
    export.set_defaults(handler=run_export)


def _add_augment_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("augmentation (drawn for every image on its own)")
    group.add_argument("--zoom", type=float, help="largest random zoom of resize-and-crop (286/256)")
    group.add_argument("--no-flip", dest="flip", action="store_false", default=None, help="no left-right flips")
    group.add_argument("--rotate", type=float, help="largest rotation in degrees (0)")
    group.add_argument("--brightness", type=float, help="largest relative brightness change (0)")
    group.add_argument("--contrast", type=float, help="largest relative contrast change (0)")
    group.add_argument("--saturation", type=float, help="largest relative saturation change (0)")
    group.add_argument("--hue", type=float, help="largest hue shift, fraction of the colour wheel (0)")


def run_data(args: argparse.Namespace) -> int:
    faces = FaceFolder(args.faces)
    augment = AugmentConfig(**given(args, AUGMENT_OPTIONS))
    with load_teacher(args.teacher) as teacher:
        counts = make_unpaired(faces, teacher, args.out, args.variants, args.size, augment, args.seed, args.progress)
    print(f"{counts['A']} images in {Path(args.out) / 'trainA'}, {counts['B']} in {Path(args.out) / 'trainB'}")
    return 0


def resolve_identity_features(choice: str, vgg_weights: str) -> str:
    """ "pixel" or "vgg": auto means vgg when ImageNet VGG16 weights are at hand (never downloads)."""
    if choice != "auto":
        return choice
    at_hand = local_imagenet_file("vgg16") if vgg_weights == "imagenet" else Path(vgg_weights)
    return "vgg" if at_hand is not None and Path(at_hand).is_file() else "pixel"


def _new_run(args: argparse.Namespace):
    if not args.out or not args.data:
        raise LensEngineError("a new run needs --data FOLDER and --out RUN_FOLDER (or --resume to go on with one)")
    loop = loop_config(args, LOOP_DEFAULTS)
    model = {**PRESETS[args.preset or "full"], **given(args, MODEL_OPTIONS)}
    model.setdefault("decay_steps", loop.steps // 2)
    if model["decay_steps"] > loop.steps:
        raise LensEngineError(f"--decay-steps {model['decay_steps']} is more than --steps {loop.steps}")
    model["constant_steps"] = loop.steps - model["decay_steps"]
    model["identity_features"] = resolve_identity_features(args.identity_features, args.vgg_weights)
    model["vgg_weights"] = args.vgg_weights if args.vgg_weights == "imagenet" else str(Path(args.vgg_weights).resolve())
    source = {
        "unpaired": str(Path(args.data).resolve()),
        "augment": asdict(AugmentConfig(**given(args, AUGMENT_OPTIONS))),
    }
    return CycleGANConfig(**model), source, loop, Path(args.out), None


def _resumed_run(args: argparse.Namespace):
    checkpoint = read_checkpoint(args.resume)
    if checkpoint.model_kind != "cyclegan":
        raise LensEngineError(f"{checkpoint.folder} is a {checkpoint.model_kind} run: resume it with that command")
    fixed = [
        name
        for name in MODEL_OPTIONS + AUGMENT_OPTIONS + ("preset", "warm_start")
        if getattr(args, name, None) is not None
    ]
    if fixed:
        raise LensEngineError(f"--{fixed[0].replace('_', '-')} cannot change when resuming: start a new run (--out)")
    source = dict(checkpoint.meta["data"]["source"])
    if args.data:
        source["unpaired"] = str(Path(args.data).resolve())
    loop = loop_config(args, LOOP_DEFAULTS, checkpoint.meta["loop"])
    config = CycleGANConfig(**checkpoint.model_config)
    if loop.steps != config.total_steps:
        raise LensEngineError(
            f"the run's learning-rate schedule ends at step {config.total_steps}: "
            f"resume with --steps {config.total_steps}"
        )
    run_dir = Path(args.out) if args.out else checkpoint.folder.parent.parent
    return config, source, loop, run_dir, checkpoint


def run_train(args: argparse.Namespace) -> int:
    apply_threads(args)
    config, source, loop, run_dir, checkpoint = _resumed_run(args) if args.resume else _new_run(args)
    model = CycleGAN(config, resolve_device(loop.device), init_seed=loop.seed)
    if args.warm_start and checkpoint is None:
        packs = dict(zip(("AtoB", "BtoA"), args.warm_start))
        source["warm_start"] = warm_start({"AtoB": model.g_ab, "BtoA": model.g_ba}, packs)
    samples = UnpairedSamples(source["unpaired"], config.size, AugmentConfig(**source["augment"]))
    data = {"source": source, "margin": samples.margin, "count": len(samples)}
    result = train(model, samples, data, loop, run_dir, resume=checkpoint)
    losses = ", ".join(f"{name} {value:.4f}" for name, value in result.losses.items())
    print(f"cyclegan: step {result.step} ({result.steps_per_second:.2f} steps/s), losses {losses}")
    print(f"checkpoint: {result.checkpoint}; curves: tensorboard --logdir {run_dir / 'tensorboard'}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    targets = [
        (direction, out, name)
        for direction, out, name in (("AtoB", args.out_ab, args.name_ab), ("BtoA", args.out_ba, args.name_ba))
        if out or name
    ]
    if not targets or any(not out or not name for _, out, name in targets):
        raise LensEngineError("give --out-ab with --name-ab and/or --out-ba with --name-ba")
    if bool(args.eval_faces) != bool(args.eval_teacher):
        raise LensEngineError("--eval-faces and --eval-teacher go together: held-out faces and the lens that made B")
    if args.compare_ab and not args.eval_faces:
        raise LensEngineError("--compare-ab scores on held-out faces: give --eval-faces and --eval-teacher too")
    checkpoint = read_checkpoint(args.checkpoint)
    if checkpoint.model_kind != "cyclegan":
        raise LensEngineError(f"{checkpoint.folder} is a {checkpoint.model_kind} checkpoint: use `export` for it")
    report = {}
    size = CycleGANConfig(**checkpoint.model_config).size
    for direction, out, name in targets:
        quality = inputs = None
        if args.eval_faces:
            with load_teacher(args.eval_teacher) as teacher:
                inputs, wanted = teacher_pairs(FaceFolder(args.eval_faces), teacher, size, direction)
            scores = measure_against_teacher(
                generator_translate(checkpoint_generator(checkpoint, direction)), inputs, wanted
            )
            if direction == "AtoB" and args.compare_ab:
                scores["compare"] = {
                    "pack": str(args.compare_ab),
                    **image_scores(pack_translate(args.compare_ab)(inputs), wanted),
                }
            quality = {**scores, "measured_on": str(Path(args.eval_faces).resolve()), "teacher": args.eval_teacher}
        pack = export_direction(checkpoint, direction, out, name, quality=quality, fp16=args.fp16)
        if args.report:
            crop = inputs[0] if inputs is not None else np.full((size, size, 3), 128, np.uint8)
            report[direction] = {
                "pack": name,
                "quality": quality,
                "speed": face_lens_speed(pack, crop, args.speed_runs),
            }
        line = f"lens pack {pack.name!r} ({direction}) written to {out}"
        if quality:
            model, unchanged = quality["model"], quality["unchanged"]
            line += (
                f": PSNR {model['psnr_db']:.2f} dB, SSIM {model['ssim']:.3f} against the teacher "
                f"(unchanged input: {unchanged['psnr_db']:.2f} dB, {unchanged['ssim']:.3f})"
            )
        print(line)
    if args.report:
        Path(args.report).write_text(json.dumps({"checkpoint": str(checkpoint.folder), **report}, indent=2) + "\n")
    return 0
