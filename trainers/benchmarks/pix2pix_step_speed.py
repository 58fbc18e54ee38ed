"""Training speed of pix2pix on this machine: full (256 px, ngf 64) and slim (128 px, ngf 16 and 32) variants.

Times whole training steps (discriminator and generator updates) on random batches, so the data pipeline is
not included; prints the median over the timed steps after a warm-up.

    python trainers/benchmarks/pix2pix_step_speed.py [--device cpu] [--threads 2] [--steps 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from lensengine_trainers.common.loop import resolve_device
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.pix2pix.model import PRESETS, Pix2Pix, Pix2PixConfig

VARIANTS = ("slim16", "slim32", "full")
BATCHES = (1, 4)
WARM_UP = 2


def step_seconds(preset: str, batch_size: int, device: torch.device, steps: int) -> float:
    """Median seconds of one training step of ``preset`` at ``batch_size``."""
    model = Pix2Pix(Pix2PixConfig(**PRESETS[preset]), device)
    precision = Precision(device, amp=True)
    size = PRESETS[preset]["size"]
    batch = {side: torch.rand(batch_size, 3, size, size, device=device) * 2 - 1 for side in "AB"}
    times = []
    for index in range(WARM_UP + steps):
        if device.type == "cuda":
            torch.cuda.synchronize()
        began = time.perf_counter()
        model.train_step(batch, precision)
        precision.update()
        if device.type == "cuda":
            torch.cuda.synchronize()
        if index >= WARM_UP:
            times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    print(f"device {device}, {torch.get_num_threads()} threads, torch {torch.__version__}")
    print("| variant | crop | ngf | batch | s/step | steps/s | images/s |")
    print("|---|---|---|---|---|---|---|")
    for preset in VARIANTS:
        for batch_size in BATCHES:
            seconds = step_seconds(preset, batch_size, device, args.steps)
            p = PRESETS[preset]
            print(
                f"| {preset} | {p['size']} | {p['ngf']} | {batch_size} | {seconds:.3f} | {1 / seconds:.2f} "
                f"| {batch_size / seconds:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
