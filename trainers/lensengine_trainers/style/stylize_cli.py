"""``lensengine stylize CONTENT --style STYLE``: paint a still image in the style of another (Gatys et al.).

A ``lensengine`` sub-command that the trainers register (entry point ``lensengine.commands``): the optimisation
(``gatys.py``) needs torch, which the engine does not. The VGG19 loss features are ImageNet weights when at hand
(``$LENSENGINE_VGG_WEIGHTS`` or the cache, see ``common/vgg.py``), else seeded random weights; the command says
which it used.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from lensengine.errors import LensEngineError
from lensengine_trainers.common.vgg import download_official, local_imagenet_file
from lensengine_trainers.style.gatys import stylize
from lensengine_trainers.style.images import read_style_image
from lensengine_trainers.style.losses import LossWeights

DEFAULT_STEPS = 300
DEFAULT_SIZE = 384


def add_parser(sub) -> None:
    parser = sub.add_parser("stylize", help="paint a still image in the style of another (slow, for stills)")
    parser.add_argument("content", metavar="CONTENT", help="the picture to repaint")
    parser.add_argument("--style", required=True, help="the style image (a painting)")
    parser.add_argument("--out", help="where to write the result (default: CONTENT_stylized.png)")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS, help=f"optimisation steps ({DEFAULT_STEPS})")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help=f"long side of the result ({DEFAULT_SIZE})")
    parser.add_argument("--style-weight", type=float, default=10.0, help="style against content (10)")
    parser.add_argument(
        "--vgg-weights",
        default="auto",
        help="auto (ImageNet when at hand, else random), random, imagenet (download allowed) or a .pth",
    )
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    parser.set_defaults(handler=handle)


def default_output(content: Path) -> Path:
    return content.with_name(f"{content.stem}_stylized.png")


def handle(args) -> int:
    content_path = Path(args.content)
    out = Path(args.out) if args.out else default_output(content_path)
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"):
        raise LensEngineError(f"--out {out} needs an image suffix such as .png or .jpg")
    content = read_style_image(content_path, "content image")
    style = read_style_image(args.style)
    weights = args.vgg_weights
    if weights == "imagenet" and local_imagenet_file("vgg19") is None:
        weights = str(download_official("vgg19"))
    result = stylize(
        content,
        style,
        steps=args.steps,
        size=args.size,
        weights=LossWeights(1.0, args.style_weight, 0.0),
        vgg_weights=weights,
        progress=args.progress,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    ok, encoded = cv2.imencode(out.suffix, result.image)
    if not ok:
        raise LensEngineError(f"OpenCV could not encode {out}: use a .png or .jpg name")
    encoded.tofile(str(out))
    start, end = result.start_losses, result.end_losses
    print(f"stylized image written to {out} ({result.image.shape[1]}x{result.image.shape[0]})")
    print(
        f"losses: style {start['style']:.4f} -> {end['style']:.4f}, "
        f"content {start['content']:.4f} -> {end['content']:.4f}"
    )
    print(f"features: {result.vgg.describe()}")
    return 0
