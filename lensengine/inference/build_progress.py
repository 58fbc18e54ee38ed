"""Progress bars for a long build made of nested phases (TensorRT's optimiser reports it this way).

``BuildProgressBars`` has the three callbacks of ``tensorrt.IProgressMonitor``; tensorrt_backend.py forwards
TensorRT's calls to it. TensorRT calls them from several threads, so every callback takes a lock.
"""

from __future__ import annotations

import threading
from typing import IO

from tqdm import tqdm


class BuildProgressBars:
    """One tqdm bar per running phase, nested bars below their parents; the outermost bar carries ``title``."""

    def __init__(self, title: str, file: IO[str] | None = None) -> None:
        self._title = title
        self._file = file
        self._bars: dict[str, tqdm] = {}
        self._lock = threading.Lock()

    def phase_start(self, phase_name: str, parent_phase: str | None, num_steps: int) -> None:
        with self._lock:
            depth = len(self._bars)
            label = f"{self._title}: {phase_name}" if depth == 0 else phase_name
            self._bars[phase_name] = tqdm(
                total=num_steps, desc=label, position=depth, leave=depth == 0, file=self._file
            )

    def step_complete(self, phase_name: str, step: int) -> bool:
        """Record that step ``step`` (0-based) of a phase is done; True lets the build go on. Steps reported out
        of order never move a bar back."""
        with self._lock:
            bar = self._bars.get(phase_name)
            if bar is not None and step + 1 > bar.n:
                bar.update(step + 1 - bar.n)
        return True

    def phase_finish(self, phase_name: str) -> None:
        with self._lock:
            bar = self._bars.pop(phase_name, None)
            if bar is not None:
                bar.close()

    def progress(self) -> dict[str, tuple[int, int]]:
        """Phases started and not yet finished, outermost first: name -> (steps done, steps in all)."""
        with self._lock:
            return {name: (bar.n, bar.total) for name, bar in self._bars.items()}

    def close(self) -> None:
        """Close every bar still open (a build that failed part-way leaves some)."""
        with self._lock:
            for bar in self._bars.values():
                bar.close()
            self._bars.clear()
