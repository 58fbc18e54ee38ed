"""``export``: a trained generator (pix2pix or distilled) as a lens pack, with its measured quality."""

from __future__ import annotations

import argparse
from pathlib import Path

from lensengine.errors import LensEngineError
from lensengine_trainers.common.quality import NO_AUGMENTATION
from lensengine_trainers.data.training_data import DataSpec
from lensengine_trainers.pix2pix.export import export_checkpoint


def add_parser(sub) -> None:
    parser = sub.add_parser("export", help="write a lens pack from a training run or checkpoint")
    parser.add_argument("--checkpoint", required=True, metavar="RUN_OR_CHECKPOINT", help="run folder or checkpoint")
    parser.add_argument("--out", required=True, help="pack folder to write")
    parser.add_argument("--name", required=True, help="lens name (letters, digits, _ . -)")
    parser.add_argument("--description", default="", help="one line shown by `lensengine lenses`")
    parser.add_argument("--eval-pairs", help="pair folder to measure quality on (default: the training data)")
    parser.add_argument("--eval-faces", help="face folder to measure quality on, with --eval-teacher")
    parser.add_argument("--eval-teacher", metavar="LENS", help="face lens that makes the targets of --eval-faces")
    parser.add_argument("--no-fp16", dest="fp16", action="store_false", help="no FP16 ONNX model")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    eval_data = None
    if args.eval_pairs or args.eval_faces:
        if args.eval_faces and not args.eval_teacher:
            raise LensEngineError("--eval-faces needs --eval-teacher LENS to make the targets")
        eval_data = DataSpec(
            str(Path(args.eval_pairs).resolve()) if args.eval_pairs else None,
            str(Path(args.eval_faces).resolve()) if args.eval_faces else None,
            args.eval_teacher,
            NO_AUGMENTATION,
        )
    pack = export_checkpoint(args.checkpoint, args.out, args.name, args.description, eval_data, args.fp16)
    quality = pack.provenance["quality"]
    print(
        f"lens pack {pack.name!r} written to {args.out}; on {quality['images']} images ({quality['measured_on']}): "
        f"PSNR {quality['psnr_db']:.2f} dB, mean error {quality['mae_8bit']:.2f} levels"
    )
    return 0
