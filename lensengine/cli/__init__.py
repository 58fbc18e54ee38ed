"""The ``lensengine`` command: run, lenses, doctor, build, and the commands other distributions add.

Other distributions add sub-commands through the entry-point group ``lensengine.commands``: each entry point
names a module (or object) with ``add_parser(subparsers)``; one that also has ``main(argv, prog)`` gets the rest of
the command line as it is, and the name to call itself in usage lines (the trainers' ``lensengine train`` parses its
own arguments). The core never imports them by name.

Every user-facing failure is a LensEngineError, printed as one line (no traceback) with exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from contextlib import nullcontext
from importlib.metadata import entry_points

from lensengine import __version__
from lensengine.cli import build, doctor, lenses, run, studio
from lensengine.errors import LensEngineError
from lensengine.util.native_logs import CurrentStderrHandler, quiet_native_logs

BUILT_IN = {"run": run, "lenses": lenses, "doctor": doctor, "build": build, "studio": studio}
COMMAND_GROUP = "lensengine.commands"
# commands that distributions of this repository add, so that a missing one gets a useful line
OPTIONAL = {
    "train": "the trainers (pip install -e trainers in a lensengine checkout)",
    "stylize": "the trainers (pip install -e trainers in a lensengine checkout)",
}

log = logging.getLogger("lensengine")


def added_commands(only: str | None = None) -> dict:
    """The commands registered in ``lensengine.commands`` (just ``only`` when given: a command is imported only
    when it runs or help lists it, so ``lensengine run`` never imports torch); one that fails to load is reported
    and skipped."""
    commands = {}
    for point in entry_points(group=COMMAND_GROUP):
        if only is not None and point.name != only:
            continue
        if point.name in BUILT_IN:
            log.warning("command %r of %s ignored: a built-in command has that name", point.name, point.value)
            continue
        try:
            commands[point.name] = point.load()
        except Exception as exc:  # a broken distribution must not take the whole CLI down
            log.warning("command %r (%s) could not be loaded: %s", point.name, point.value, exc)
    return commands


def make_parser(commands: dict) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lensengine", description="Real-time video lenses: webcam -> faces -> lenses -> virtual camera."
    )
    parser.add_argument("--version", action="version", version=f"lensengine {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands.values():
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    named = argv[0] if argv and not argv[0].startswith("-") else None
    if named in BUILT_IN:
        commands = dict(BUILT_IN)
    else:  # the one named, or all of them for help and for the list of choices argparse gives
        commands = {**BUILT_IN, **(named is not None and added_commands(named) or added_commands())}
    if argv and argv[0] not in commands and argv[0] in OPTIONAL:
        print(f"lensengine: error: `lensengine {argv[0]}` needs {OPTIONAL[argv[0]]}", file=sys.stderr)
        return 2
    if argv and hasattr(commands.get(argv[0]), "main"):  # it parses its own arguments
        return commands[argv[0]].main(argv[1:], prog=f"lensengine {argv[0]}") or 0
    args = make_parser(commands).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="lensengine: %(message)s",
        handlers=[CurrentStderrHandler()],
    )
    with nullcontext() if args.verbose else quiet_native_logs():  # MediaPipe's and TFLite's chatter: --verbose
        try:
            return args.handler(args) or 0
        except LensEngineError as exc:
            print(f"lensengine: error: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main())
