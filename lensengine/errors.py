"""User-facing errors: one line that says what went wrong and what to do."""


class LensEngineError(Exception):
    """An error the CLI prints as one line (no traceback) before exiting with status 2.

    The message must say what went wrong and how to fix it.
    """
