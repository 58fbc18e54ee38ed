"""``lensengine train ...``: hands over to the trainers distribution (lensengine-trainers)."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    parser = sub.add_parser("train", help="train lenses (needs lensengine-trainers): see `lensengine train --help`")
    parser.set_defaults(handler=lambda args: main([]))


def main(argv: list[str]) -> int:
    try:
        from lensengine_trainers.cli import main as trainers_main
    except ImportError:
        print(
            "lensengine: error: the trainers are not installed; run `pip install -e trainers` in a lensengine checkout",
            file=sys.stderr,
        )
        return 2
    return trainers_main(argv) or 0
