"""Memory over a long run: does the engine's resident memory keep growing?

    python benchmarks/soak.py [--minutes 30] [--every 10] [--lens thug_glasses] [--input sample:3]

Runs ``lensengine run --input INPUT --loop --output null`` as a user would (paced at the clip's 30 fps) in a
child process, reads its resident set size (VmRSS) every ``--every`` seconds, and stops it with SIGTERM at the
end. Reports RSS at minute 1 and at the end, the growth between them in percent, and the slope of a line
fitted through the samples after minute 1 (MB per minute). Linux only (reads /proc). Not part of the test
suite: it takes as long as it is asked to. Results go to <out>/soak-cpu.json and .md.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import machine_info  # noqa: E402

SETTLED_AFTER_S = 60.0  # start-up (model loads, first allocations) is over by minute 1


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no VmRSS for process {pid}")


def soak(command: list[str], seconds: float, every: float) -> list[tuple[float, float]]:
    """(seconds since start, RSS in MB) of the child running ``command``, one sample each ``every`` seconds."""
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    samples = []
    start = time.monotonic()
    try:
        while (elapsed := time.monotonic() - start) < seconds:
            if child.poll() is not None:
                raise RuntimeError(f"the run ended early (exit {child.returncode}): {child.stderr.read().decode()}")
            samples.append((elapsed, rss_mb(child.pid)))
            print(f"{elapsed / 60:6.2f} min  RSS {samples[-1][1]:7.1f} MB", flush=True)
            time.sleep(max(0.0, every - (time.monotonic() - start - elapsed)))
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
    return samples


def summarise(samples: list[tuple[float, float]]) -> dict:
    settled = [(t, m) for t, m in samples if t >= SETTLED_AFTER_S]
    if len(settled) < 2:
        raise SystemExit("soak: too short to judge growth; run at least two minutes")
    first, last = settled[0][1], settled[-1][1]
    times, sizes = np.array(settled).T
    slope_per_s = float(np.polyfit(times, sizes, 1)[0])
    return {
        "rss_at_1_min_mb": first,
        "rss_at_end_mb": last,
        "growth_percent": 100.0 * (last - first) / first,
        "slope_mb_per_min": slope_per_s * 60.0,
        "peak_mb": float(sizes.max()),
    }


def to_markdown(summary: dict, samples: list[tuple[float, float]], meta: dict) -> str:
    lines = [
        "# Soak: resident memory over a long run (CPU)",
        "",
        f"Command: `{meta['command']}`  ",
        f"Run: `{' '.join(meta['run'])}`  ",
        f"Machine: {meta['machine']['cpu']}, {meta['machine']['cores']} cores, Python {meta['machine']['python']}",
        "",
        f"- RSS at minute 1: {summary['rss_at_1_min_mb']:.1f} MB",
        f"- RSS at minute {samples[-1][0] / 60:.1f}: {summary['rss_at_end_mb']:.1f} MB "
        f"(growth {summary['growth_percent']:+.2f}%)",
        f"- fitted slope after minute 1: {summary['slope_mb_per_min']:+.3f} MB per minute; "
        f"peak {summary['peak_mb']:.1f} MB",
        "",
        "| minute | RSS MB |",
        "|---|---|",
    ]
    lines += [f"| {t / 60:.1f} | {m:.1f} |" for t, m in samples[:: max(1, len(samples) // 30)]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between samples (10)")
    parser.add_argument("--lens", default="thug_glasses")
    parser.add_argument("--input", default="sample:3")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--name", default="soak-cpu", help="result file name without extension")
    args = parser.parse_args()
    run = [sys.executable, "-m", "lensengine", "run", "--lens", args.lens, "--input", args.input, "--loop"]
    run += ["--output", "null"]
    samples = soak(run, args.minutes * 60.0, args.every)
    summary = summarise(samples)
    meta = {"command": "python " + " ".join(sys.argv), "run": ["lensengine", *run[3:]], "machine": machine_info()}
    args.out.mkdir(parents=True, exist_ok=True)
    record = {"meta": meta, "summary": summary, "samples": samples}
    (args.out / f"{args.name}.json").write_text(json.dumps(record, indent=2))
    (args.out / f"{args.name}.md").write_text(to_markdown(summary, samples, meta))
    print(json.dumps(summary, indent=2))
    print(f"wrote {args.out / args.name}.md and .json")


if __name__ == "__main__":
    main()
