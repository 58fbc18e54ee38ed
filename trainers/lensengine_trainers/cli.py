"""``lensengine-train`` (also ``lensengine train``): from photos to a lens pack.

    extract-faces  aligned face crops + landmarks from photos, a video or a camera
    capture        record your own face with a camera
    make-pairs     A|B pairs from a face folder and a teacher face lens
    pix2pix        train a pix2pix generator (new or --resume)
    distill        distil a trained generator into a slim student
    export         write a lens pack with provenance and measured quality
    superres       super-resolution: offline-data, train, export
    cyclegan-data, cyclegan, cyclegan-export   unpaired face-to-face lenses
    style, style-export                        fast style-transfer lenses

Every user-facing failure is a LensEngineError, printed as one line with exit status 2.

Under ``torchrun`` (``torchrun --nproc-per-node N --no-python lensengine-train pix2pix ...``, or ``-m
lensengine_trainers``) every process runs the same command inside one process group (common/distributed.py);
rank 0 alone prints results and progress, the other ranks stay quiet (their stdout goes nowhere). Errors are
printed by rank 0 and, on other machines of a multi-machine job, by each machine's first process (LOCAL_RANK 0),
so that every machine's log says why it stopped; an error in one rank's data is reported by rank 0 (loop.py).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys

from lensengine.errors import LensEngineError
from lensengine_trainers import __version__
from lensengine_trainers.common.distributed import RankFailed, launched, session
from lensengine_trainers.cyclegan.cli import add_cyclegan_parser
from lensengine_trainers.data import extract_cli, pairs_cli
from lensengine_trainers.pix2pix import cli as pix2pix_cli
from lensengine_trainers.pix2pix import export_cli
from lensengine_trainers.style.cli import add_style_parser
from lensengine_trainers.superres.cli import add_superres_parser

COMMANDS = (extract_cli, pairs_cli, pix2pix_cli, export_cli)


def add_parser(sub) -> None:
    """``lensengine train ...`` (entry point ``lensengine.commands``): the same commands as ``lensengine-train``."""
    parser = sub.add_parser("train", help="build face datasets, train lenses, export packs: lensengine train --help")
    parser.set_defaults(handler=lambda args: main([]))


def make_parser(prog: str = "lensengine-train") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Build face datasets, train lenses and export them as lens packs."
    )
    parser.add_argument("--version", action="version", version=f"lensengine-trainers {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    add_superres_parser(sub)
    add_cyclegan_parser(sub)
    add_style_parser(sub)
    return parser


def main(argv: list[str] | None = None, prog: str = "lensengine-train") -> int:
    """Run one subcommand; returns the exit status (0 ok, 2 user error, 130 interrupted)."""
    args = make_parser(prog).parse_args(sys.argv[1:] if argv is None else argv)
    world = launched()
    main_rank = world.main
    level = logging.INFO if main_rank else logging.WARNING
    logging.basicConfig(level=level, format="lensengine-train: %(message)s", stream=sys.stderr)
    try:
        with _quiet_unless(main_rank), session():
            return args.handler(args)
    except LensEngineError as error:
        if main_rank or (world.local_rank == 0 and not isinstance(error, RankFailed)):
            where = "" if main_rank else f"rank {world.rank}: "
            print(f"lensengine-train: error: {where}{error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _quiet_unless(main_rank: bool) -> contextlib.AbstractContextManager:
    """Rank 0 prints; the other ranks' stdout goes to the null device."""
    if main_rank:
        return contextlib.nullcontext()
    return contextlib.redirect_stdout(open(os.devnull, "w"))  # noqa: SIM115 - closed with the process


if __name__ == "__main__":
    sys.exit(main())
