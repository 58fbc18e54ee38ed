"""Inference backend speed on the CPU: every lens architecture at 128 and 256 px, batch 1 and 4.

    python benchmarks/backends.py [--quick] [--runs 30] [--out benchmarks/results]

Each network is built with random weights, exported with lensengine_trainers.common.export_pack and loaded through
lensengine.inference.create_backend exactly as a lens would be; the timed call is ``backend.run(crops)``
(normalise, network, round back to uint8). Per configuration: 3 warm-up runs, then ``--runs`` timed runs
(at least 30); median, p95 and minimum per batch, and the median per face (the minimum shows the speed
without other processes competing for the cores). The cost of pre/post-processing alone is
measured per face as well. ``--quick`` leaves out the widest nets (U-Net ngf 64, ResNet ngf 64 and 9 blocks,
SRResNet, EDSR).

Results go to <out>/backends-cpu.json and .md (``--device cuda``: backends-cuda.*), with the machine and the
command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import machine_info  # noqa: E402

from lensengine.inference import create_backend  # noqa: E402
from lensengine.inference.cpu_cores import physical_cpu_cores  # noqa: E402
from lensengine.inference.preprocess import crops_to_input, output_to_crops  # noqa: E402

WARMUP_RUNS = 3
MIN_RUNS = 30
CROPS = (128, 256)
BATCHES = (1, 4)
BACKENDS = ("onnxruntime", "torch")
TARGET_MS_PER_FACE = 10.0
CONTENDED_RATIO = 1.5
FAMILY = {
    "unet": "pix2pix",
    "resnet_generator": "cyclegan",
    "johnson": "style",
    "espcn": "superres",
    "fsrcnn": "superres",
    "srresnet": "superres",
    "edsr": "superres",
}

# (label, arch, config, in --quick). U-Nets have 7 levels, as in FACTS.md's table.
NETS = [
    ("unet ngf16", "unet", {"ngf": 16, "num_downs": 7}, True),
    ("unet ngf32", "unet", {"ngf": 32, "num_downs": 7}, True),
    ("unet ngf64", "unet", {"ngf": 64, "num_downs": 7}, False),
    ("resnet ngf32 6 blocks", "resnet_generator", {"ngf": 32, "n_blocks": 6}, True),
    ("resnet ngf32 9 blocks", "resnet_generator", {"ngf": 32, "n_blocks": 9}, False),
    ("resnet ngf64 6 blocks", "resnet_generator", {"ngf": 64, "n_blocks": 6}, False),
    ("resnet ngf64 9 blocks", "resnet_generator", {"ngf": 64, "n_blocks": 9}, False),
    ("johnson width32 5 res", "johnson", {"width": 32, "n_res": 5}, True),
    ("espcn x2", "espcn", {"scale": 2}, True),
    ("fsrcnn x2", "fsrcnn", {"scale": 2}, True),
    ("srresnet x2", "srresnet", {"scale": 2}, False),
    ("edsr x2 baseline", "edsr", {"scale": 2}, False),
]


def gflop_per_image(net, side: int) -> float:
    """Multiply-adds x 2 of the convolutions of ``net`` on one side x side image, in GFLOP."""
    import torch

    macs = []

    def count(module, inputs, output):
        kernel = module.kernel_size[0] * module.kernel_size[1]
        if isinstance(module, torch.nn.ConvTranspose2d):
            macs.append(inputs[0].numel() * module.out_channels // module.groups * kernel)
        else:
            macs.append(output.numel() * module.in_channels // module.groups * kernel)

    convolutions = [m for m in net.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    hooks = [m.register_forward_hook(count) for m in convolutions]
    with torch.inference_mode():
        net(torch.zeros(1, 3, side, side))
    for hook in hooks:
        hook.remove()
    return 2 * sum(macs) / 1e9


def export_net(arch: str, config: dict, side: int, folder: Path):
    """A face pack of the net at ``side`` px with random weights; returns (pack, GFLOP per face)."""
    from lensengine.nets import build_network
    from lensengine.packs import LensSpec
    from lensengine_trainers.common.export_pack import export_pack

    net = build_network(arch, **config).eval()
    scale = config.get("scale", 1)
    pack = export_pack(
        net,
        folder,
        LensSpec(
            name=f"bench-{arch}",
            family=FAMILY[arch],
            kind="face",
            description="benchmark",
            crop_size=side,
            scale=scale,
            color_order="RGB",
            normalisation="unit" if scale > 1 else "tanh",
            template="five_point",
            margin=0.35,
            arch=arch,
            config=config,
            provenance={"trainer": "benchmark"},
        ),
        fp16=False,
    )
    return pack, gflop_per_image(net, side)


def time_runs(call, runs: int) -> list[float]:
    """Milliseconds of ``runs`` calls after WARMUP_RUNS untimed ones."""
    for _ in range(WARMUP_RUNS):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def summarise(times: list[float], batch: int) -> dict:
    median = float(np.median(times))
    return {
        "median_ms": median,
        "p95_ms": float(np.percentile(times, 95)),
        "min_ms": float(min(times)),
        "ms_per_face": median / batch,
        "runs": len(times),
    }


def bench_backends(nets: list[tuple], runs: int, work: Path, device: str = "cpu") -> list[dict]:
    results = []
    rng = np.random.default_rng(0)
    for label, arch, config, _ in nets:
        for side in CROPS:
            pack, gflop = export_net(arch, config, side, work / f"{arch}-{label.replace(' ', '_')}-{side}")
            for backend_name in BACKENDS:
                if device != "cpu" and backend_name == "onnxruntime":
                    continue  # ONNX Runtime's CUDA provider is not in the CPU wheel; torch and TensorRT are
                with create_backend(pack, backend_name, device=device, max_batch=max(BATCHES)) as backend:
                    for batch in BATCHES:
                        crops = rng.integers(0, 256, (batch, side, side, 3), dtype=np.uint8)
                        row = {
                            "net": label,
                            "arch": arch,
                            "config": config,
                            "crop": side,
                            "gflop_per_face": gflop,
                            "backend": backend_name,
                            "batch": batch,
                            **summarise(time_runs(lambda crops=crops: backend.run(crops), runs), batch),
                        }
                        results.append(row)
                        print(
                            f"{label:24s} {side:4d} {backend_name:12s} b{batch} "
                            f"{row['median_ms']:9.2f} ms  ({row['ms_per_face']:.2f} ms/face)",
                            flush=True,
                        )
    return results


def bench_preprocessing(runs: int) -> list[dict]:
    """Per-face cost of crops_to_input and output_to_crops (tanh) at each crop size and batch."""
    rows = []
    rng = np.random.default_rng(1)
    for side in CROPS:
        for batch in BATCHES:
            crops = rng.integers(0, 256, (batch, side, side, 3), dtype=np.uint8)
            buffer = np.empty((batch, 3, side, side), np.float32)
            output = rng.normal(0, 0.5, (batch, 3, side, side)).astype(np.float32)
            pre = np.median(time_runs(lambda c=crops, b=buffer: crops_to_input(c, "tanh", out=b), runs)) / batch
            post = np.median(time_runs(lambda o=output: output_to_crops(o, "tanh"), runs)) / batch
            rows.append({"crop": side, "batch": batch, "pre_ms_per_face": float(pre), "post_ms_per_face": float(post)})
    return rows


def to_markdown(report: dict) -> str:
    machine = report["machine"]
    lines = [
        "# Inference backends on the CPU",
        "",
        f"Command: `{report['command']}` ({report['mode']} run)  ",
        f"Machine: {machine['cpu']}, {machine['cores']} logical CPUs, {machine['physical_cores']} physical cores, "
        f"Python {machine['python']}, {machine['platform']}  ",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in machine["packages"].items() if v) + "  ",
        f"Threads: onnxruntime intra-op {machine['physical_cores']}, torch {machine['torch_threads']}. "
        f"Random weights; {WARMUP_RUNS} warm-up runs, then {report['runs']} timed runs of `backend.run(crops)` "
        "(uint8 in, uint8 out, pre/post-processing included). Times in ms.  ",
        f"Load average (1 min) at start / end: {machine['load_average_1min']['start']:.1f} / "
        f"{machine['load_average_1min']['end']:.1f}. Rows marked *contended* have a median over "
        f"{CONTENDED_RATIO}x their minimum: other processes took the cores during them; their minimum is the "
        "better estimate of the speed.",
        "",
        "## Pre/post-processing per face (numpy, tanh)",
        "",
        "| crop | batch | uint8 -> float NCHW | float NCHW -> uint8 | total |",
        "|---|---|---|---|---|",
    ]
    for row in report["preprocessing"]:
        total = row["pre_ms_per_face"] + row["post_ms_per_face"]
        lines.append(
            f"| {row['crop']} | {row['batch']} | {row['pre_ms_per_face']:.3f} | "
            f"{row['post_ms_per_face']:.3f} | {total:.3f} |"
        )
    lines += [
        "",
        f"## Target: slim pix2pix U-Net (ngf 16-32) under {TARGET_MS_PER_FACE:.0f} ms per face with ONNX Runtime",
        "",
        "| net | crop | batch | ms per face (median) | ms per face (min) | median under target |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["results"]:
        if row["arch"] == "unet" and row["config"]["ngf"] <= 32 and row["backend"] == "onnxruntime":
            verdict = "yes" if row["ms_per_face"] < TARGET_MS_PER_FACE else "no"
            lines.append(
                f"| {row['net']} | {row['crop']} | {row['batch']} | {row['ms_per_face']:.2f} | "
                f"{row['min_ms'] / row['batch']:.2f} | {verdict} |"
            )
    lines += [
        "",
        "## All configurations",
        "",
        "| net | crop | GFLOP/face | backend | batch | median | p95 | min | ms per face (median) | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["results"]:
        contended = "*contended*" if row["median_ms"] > CONTENDED_RATIO * row["min_ms"] else ""
        lines.append(
            f"| {row['net']} | {row['crop']} | {row['gflop_per_face']:.2f} | {row['backend']} | "
            f"{row['batch']} | {row['median_ms']:.2f} | {row['p95_ms']:.2f} | {row['min_ms']:.2f} | "
            f"{row['ms_per_face']:.2f} | {contended} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the widest nets")
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help=f"timed runs per configuration (>= {MIN_RUNS})")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda: results go to backends-DEVICE.*")
    parser.add_argument("--nets", help="only these nets, by label, comma-separated (e.g. 'unet ngf64')")
    args = parser.parse_args()
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}")
    import torch

    nets = [net for net in NETS if net[3] or not args.quick]
    if args.nets:
        wanted = {label.strip() for label in args.nets.split(",")}
        nets = [net for net in NETS if net[0] in wanted]
        if len(nets) != len(wanted):
            parser.error(f"--nets: choose among {', '.join(net[0] for net in NETS)}")
    machine = {**machine_info(), "physical_cores": physical_cpu_cores(), "torch_threads": torch.get_num_threads()}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="lensengine-bench-") as work:
        results = bench_backends(nets, args.runs, Path(work), args.device)
    preprocessing = bench_preprocessing(max(args.runs, 200))
    machine["load_average_1min"] = {"start": load_before, "end": os.getloadavg()[0]}
    report = {
        "command": " ".join(["python", "benchmarks/backends.py", *sys.argv[1:]]),
        "mode": "quick" if args.quick else "full",
        "runs": args.runs,
        "warmup_runs": WARMUP_RUNS,
        "machine": machine,
        "preprocessing": preprocessing,
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"backends-{args.device.partition(':')[0]}"
    (args.out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / f"{name}.md").write_text(to_markdown(report))
    print(f"wrote {args.out / name}.md and .json")


if __name__ == "__main__":
    main()
