"""How many physical CPU cores this process may use: the right thread count for convolution kernels.

Hyper-threads share a core's vector units, so more compute threads than physical cores only adds contention.
"""

from __future__ import annotations

import os
from pathlib import Path


def _linux_physical_cores(cpuinfo: str) -> int:
    """Distinct (physical id, core id) pairs in /proc/cpuinfo text; 0 when the file does not list them."""
    cores = set()
    physical_id = core_id = None
    for line in cpuinfo.splitlines() + [""]:
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "physical id":
            physical_id = value.strip()
        elif key == "core id":
            core_id = value.strip()
        elif not line.strip():
            if core_id is not None:
                cores.add((physical_id, core_id))
            physical_id = core_id = None
    return len(cores)


def physical_cpu_cores() -> int:
    """Physical cores available to this process (at least 1); logical CPUs where cores cannot be told apart."""
    logical = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    cpuinfo = Path("/proc/cpuinfo")
    physical = _linux_physical_cores(cpuinfo.read_text()) if cpuinfo.exists() else 0
    return max(1, min(logical, physical) if physical else logical)


LENS_THREADS_ENV = "LENSENGINE_LENS_THREADS"


def inference_threads(beside_tracker: bool = True) -> int:
    """Threads a CPU inference backend may use for one lens: ``$LENSENGINE_LENS_THREADS`` (``--lens-threads``)
    when set, else the physical cores less one, at least one. The face tracker runs beside a face lens in a thread
    of its own (``pipeline/overlap``), and MediaPipe and ONNX Runtime both spin their threads: more compute
    threads than cores only makes them wait for each other. A frame lens (``beside_tracker`` False) needs no
    faces, so nothing tracks beside it: it gets every physical core."""
    value = os.environ.get(LENS_THREADS_ENV, "").strip()
    if value:
        try:
            threads = int(value)
        except ValueError:
            threads = 0
        if threads < 1:
            raise ValueError(f"{LENS_THREADS_ENV}={value!r} is not a thread count: use a whole number >= 1")
        return threads
    return max(1, physical_cpu_cores() - 1) if beside_tracker else physical_cpu_cores()
