"""The ``lensengine-train`` subcommands, one module each: ``add_parser(subparsers)`` and a handler."""
