"""One module per ``lensengine`` subcommand: each has ``add_parser(subparsers)`` and a handler."""
