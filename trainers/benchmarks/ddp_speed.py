"""Training throughput of pix2pix with 1 and with N processes under torchrun (gloo on the CPU, NCCL on GPUs).

Runs ``lensengine-train pix2pix`` on a synthetic pair folder, once as a plain process and once per world size
under ``torchrun --standalone``, all at the same global batch, and reports the loop's steps per second (whole
steps with data loading, from the first step to the last, process start and imports excluded) and images per
second. On the CPU the cores are split evenly between the processes unless ``--threads`` fixes the threads of
each process.

    python trainers/benchmarks/ddp_speed.py [--processes 1 2] [--preset slim16] [--batch-size 4] [--steps 30]
        [--device cpu] [--threads N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from lensengine_trainers.pix2pix.model import PRESETS

RATE = re.compile(r"pix2pix: step \d+ \(([0-9.]+) steps/s\)")


def write_pairs(folder: Path, size: int, count: int = 16) -> Path:
    """A pair folder of smooth random colour fields (A) beside their inverses (B)."""
    folder.mkdir(parents=True)
    (folder / "pairs.json").write_text(json.dumps({"format": "lensengine-pairs/1", "size": size, "margin": 0.35}))
    rng = np.random.default_rng(0)
    for index in range(count):
        a = cv2.resize(rng.integers(0, 256, (4, 4, 3), dtype=np.uint8), (size, size), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(folder / f"{index:03d}.png"), np.hstack([a, 255 - a]))
    return folder


def run(processes: int, args: argparse.Namespace, pairs: Path, out: Path) -> dict:
    """One training run; its steps per second as the loop measured them, and its wall time."""
    threads = args.threads or (max(1, (os.cpu_count() or 1) // processes) if args.device == "cpu" else 1)
    train = ["pix2pix", "--pairs", str(pairs), "--preset", args.preset, "--steps", str(args.steps)]
    train += ["--batch-size", str(args.batch_size), "--device", args.device, "--threads", str(threads)]
    train += ["--checkpoint-every", str(args.steps), "--log-every", str(args.steps), "--no-progress"]
    train += ["--out", str(out)]
    launcher = [sys.executable]
    if processes > 1:
        launcher += ["-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={processes}"]
    command = [*launcher, "-m", "lensengine_trainers", *train]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": str(threads)})
    wall = time.perf_counter() - began
    found = RATE.search(done.stdout)
    if done.returncode or not found:
        raise SystemExit(f"{processes} processes failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    rate = float(found.group(1))
    return {
        "processes": processes,
        "threads_per_process": threads,
        "steps_per_second": rate,
        "images_per_second": rate * args.batch_size,
        "wall_seconds": round(wall, 1),
        "command": " ".join(command[1:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="slim16")
    parser.add_argument("--batch-size", type=int, default=4, help="global batch (split over the processes)")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, help="torch threads per process (default: the cores split evenly)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        pairs = write_pairs(Path(temporary) / "pairs", PRESETS[args.preset]["size"])
        results = [run(n, args, pairs, Path(temporary) / f"run{n}") for n in args.processes]
    settings = f"global batch {args.batch_size}, {args.steps} steps, {args.device}, torch {torch.__version__}"
    print(f"pix2pix {args.preset}, {settings}")
    print("| processes | threads each | steps/s | images/s | wall s (with start-up) |")
    print("|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['processes']} | {r['threads_per_process']} | {r['steps_per_second']:.2f} "
            f"| {r['images_per_second']:.1f} | {r['wall_seconds']} |"
        )
    if args.json:
        settings = {"preset": args.preset, "batch_size": args.batch_size, "steps": args.steps, "device": args.device}
        settings["threads"] = args.threads
        report = {"benchmark": "ddp_speed", "torch": torch.__version__, "cpus": os.cpu_count(), **settings}
        Path(args.json).write_text(json.dumps({**report, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
