"""``make-pairs``: run a teacher face lens over a face folder and write pix2pix A|B pairs."""

from __future__ import annotations

import argparse

from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.pair_folder import make_pairs
from lensengine_trainers.data.teacher import load_teacher


def add_parser(sub) -> None:
    parser = sub.add_parser("make-pairs", help="apply a teacher face lens to a face folder, writing A|B pairs")
    parser.add_argument("--teacher", required=True, help="name of an installed face lens (see `lensengine lenses`)")
    parser.add_argument("--faces", required=True, help="face folder made by extract-faces or capture")
    parser.add_argument("--out", required=True, help="pair folder to write")
    parser.add_argument("--batch", type=int, default=8, help="crops per teacher call (8)")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    faces = FaceFolder(args.faces)
    with load_teacher(args.teacher) as teacher:
        count = make_pairs(faces, teacher, args.out, batch_size=max(1, args.batch), progress=args.progress)
    print(f"{count} A|B pairs by {args.teacher} written to {args.out}")
    return 0
