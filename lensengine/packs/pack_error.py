"""PackError: a lens pack that cannot be used, said in one line that names the pack."""

from __future__ import annotations

from pathlib import Path

from lensengine.errors import LensEngineError


class PackError(LensEngineError):
    """A lens pack is malformed, tampered with or unsafe.

    ``PackError(pack, problem)`` reads ``lens pack <pack>: <problem>``; ``pack`` is the pack's name or path,
    ``problem`` says what is wrong and what to do. The message is always a single line.
    """

    def __init__(self, pack: str | Path, problem: str) -> None:
        self.pack = str(pack)
        self.problem = problem
        super().__init__(" ".join(f"lens pack {self.pack}: {problem}".splitlines()))
