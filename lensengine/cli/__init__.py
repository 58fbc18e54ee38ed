"""The ``lensengine`` command: run, lenses, doctor, build, stylize, train.

Every user-facing failure is a LensEngineError, printed as one line (no traceback) with exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys

from lensengine import __version__
from lensengine.cli import build, doctor, lenses, run, stylize, train
from lensengine.errors import LensEngineError

COMMANDS = (run, lenses, doctor, build, stylize, train)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lensengine", description="Real-time video lenses: webcam -> faces -> lenses -> virtual camera."
    )
    parser.add_argument("--version", action="version", version=f"lensengine {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "train":  # the trainers parse their own arguments
        return train.main(argv[1:])
    args = make_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="lensengine: %(message)s", stream=sys.stderr
    )
    try:
        return args.handler(args) or 0
    except LensEngineError as exc:
        print(f"lensengine: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
