"""Training under torchrun on the CPU (gloo, 2 processes): the same run as one process on the same global batch,
rank 0 alone writes and prints, checkpoints resume at another world size, and a failing rank ends the run with
one line. Tiny networks, a few steps: each torchrun start costs a few seconds of imports per process."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from lensengine.errors import LensEngineError
from lensengine.nets import build_network
from lensengine_trainers.cli import main
from lensengine_trainers.common.distributed import World, rank_batch, rank_device
from lensengine_trainers.common.randomness import epoch_order
from lensengine_trainers.data.batches import StepBatches

# Two processes average two half-batch gradients where one process takes the mean over the whole batch: equal up
# to the order of float32 sums (measured: weights within 2.2e-7, losses within 2e-7 relative after 4 steps).
TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}
SEED = 3
RUN = ["--steps", "4", "--batch-size", "2", "--seed", str(SEED), "--checkpoint-every", "2", "--keep", "5"]
RUN += ["--log-every", "1", "--device", "cpu", "--no-progress"]
PIX2PIX = ["pix2pix", "--size", "32", "--ngf", "8", "--num-downs", "3", "--ndf", "8", "--n-layers", "2"]
PIX2PIX += ["--no-dropout", *RUN]  # dropout masks are drawn per process: off, to compare with one process
CYCLEGAN = ["cyclegan", "--size", "16", "--ngf", "4", "--n-blocks", "1", "--ndf", "4", "--n-layers", "1"]
CYCLEGAN += ["--pool-size", "0", "--identity-features", "pixel", *RUN]  # the fake pool is per process: off


def colour_field(seed: int, side: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return cv2.resize(rng.integers(40, 220, (3, 3, 3), dtype=np.uint8), (side, side), interpolation=cv2.INTER_CUBIC)


def pair_folder(root: Path, count: int = 5, side: int = 32) -> Path:
    """A|B pairs: a colour field beside its inverse."""
    root.mkdir(parents=True)
    (root / "pairs.json").write_text(json.dumps({"format": "lensengine-pairs/1", "size": side, "margin": 0.35}))
    for index in range(count):
        a = colour_field(index, side)
        cv2.imwrite(str(root / f"pair{index}.png"), np.hstack([a, 255 - a]))
    return root


def unpaired_folder(root: Path) -> Path:
    for side, seeds in (("A", range(3)), ("B", range(100, 104))):
        (root / f"train{side}").mkdir(parents=True)
        for seed in seeds:
            cv2.imwrite(str(root / f"train{side}" / f"{seed}.png"), colour_field(seed, 20))
    return root


# Several commands in one torchrun job: one start-up (imports are most of a small job's time), one process group.
COMMANDS = """
import json, sys
from lensengine_trainers.cli import main
from lensengine_trainers.common.distributed import session
with session():
    sys.exit(max([main(argv) for argv in json.loads(sys.argv[1])]))
"""


def torchrun(commands: list[list[str]], folder: Path, processes: int = 2) -> subprocess.CompletedProcess:
    """``lensengine-train`` COMMANDS in turn under torchrun (found through this Python); each rank's output in
    ``folder/logs``."""
    script = folder / "commands.py"
    script.write_text(COMMANDS)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={processes}"]
    command += ["--redirects", "3", "--log-dir", str(folder / "logs"), str(script), json.dumps(commands)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)


def rank_output(logs: Path, rank: int, stream: str) -> str:
    return "".join(path.read_text() for path in logs.rglob(f"attempt_0/{rank}/{stream}.log"))


def checkpoint(run: Path, step: int) -> Path:
    return run / "checkpoints" / f"step_{step:08d}"


def assert_same_run(
    expected: Path, got: Path, steps: tuple[int, ...] = (2, 4), weights: bool = True, weight_atol: float = 1e-6
) -> None:
    """Same losses at the checkpoints of ``steps`` to TOLERANCE and (unless not ``weights``) same final weights
    (to TOLERANCE's rtol and ``weight_atol``)."""
    for step in steps:
        want = json.loads((checkpoint(expected, step) / "checkpoint.json").read_text())["losses"]
        have = json.loads((checkpoint(got, step) / "checkpoint.json").read_text())["losses"]
        assert have.keys() == want.keys()
        for name in want:
            assert have[name] == pytest.approx(want[name], rel=TOLERANCE["rtol"], abs=TOLERANCE["atol"]), name
    if not weights:
        return
    want, have = (load_file(checkpoint(run, 4) / "networks.safetensors") for run in (expected, got))
    assert have.keys() == want.keys()
    for key in want:
        torch.testing.assert_close(have[key], want[key], rtol=TOLERANCE["rtol"], atol=weight_atol, msg=key)


def image_folder(root: Path, seeds: range, side: int) -> Path:
    root.mkdir(parents=True)
    for seed in seeds:
        cv2.imwrite(str(root / f"{seed}.png"), colour_field(seed, side))
    return root


def other_families(root: Path) -> dict[str, list[str]]:
    """Distillation (with its PatchGAN) of the single-process pix2pix run, fast style and super-resolution."""
    teacher = ["--teacher-checkpoint", str(root / "pix2pix_single")]
    distill = ["distill", *teacher, "--pairs", str(root / "pairs"), "--size", "16", "--ngf", "4", "--num-downs", "2"]
    distill += ["--ndf", "4", "--n-layers", "1", "--gan", "--no-dropout", *RUN]
    photos = image_folder(root / "photos", range(4), 32)
    style = ["style", "--content", str(photos), "--style", str(photos / "0.png"), "--size", "16", "--style-size"]
    style += ["16", "--width", "4", "--n-res", "1", "--vgg-weights", "random", *RUN]
    superres = ["superres", "train", "--images", str(photos), "--heldout", str(image_folder(root / "heldout", [9], 16))]
    superres += ["--lr-patch", "8", "--net", "width=6", "--eval-every", "100", *RUN]
    return {"distill": distill, "style": style, "superres": superres}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """Single-process runs of every trainer, then one torchrun job of 2 processes that trains pix2pix, the
    distillation, style and SR anew and goes on with the CycleGAN run from its step 1."""
    root = tmp_path_factory.mktemp("ddp")
    pix2pix = [*PIX2PIX, "--pairs", str(pair_folder(root / "pairs"))]
    cyclegan = [*CYCLEGAN, "--checkpoint-every", "1", "--data", str(unpaired_folder(root / "unpaired"))]
    assert main([*pix2pix, "--out", str(root / "pix2pix_single")]) == 0
    assert main([*cyclegan, "--out", str(root / "cyclegan_single")]) == 0
    others = other_families(root)
    for name, argv in others.items():
        assert main([*argv, "--out", str(root / f"{name}_single")]) == 0, name
    commands = [
        [*pix2pix, "--out", str(root / "pix2pix_ddp")],
        ["cyclegan", "--resume", str(checkpoint(root / "cyclegan_single", 1)), "--out", str(root / "cyclegan_ddp")],
        *([*argv, "--out", str(root / f"{name}_ddp")] for name, argv in others.items()),
    ]
    done = torchrun(commands, root)
    assert done.returncode == 0, done.stderr[-3000:]
    return root


def check_rank0_alone_wrote(run: Path, logs: Path, kind: str) -> None:
    assert len(list((run / "tensorboard").glob("events.out.tfevents.*"))) == 1
    assert f"{kind}: step 4" in rank_output(logs, 0, "stdout")
    assert rank_output(logs, 1, "stdout") == ""  # the other rank prints nothing
    assert "error" not in rank_output(logs, 1, "stderr").lower()


def test_pix2pix_on_two_processes_is_the_single_process_run(runs, tmp_path):
    """A new run on 2 processes equals 1 process; resumed on 1 process from step 2, it still does."""
    single, ddp, resumed = runs / "pix2pix_single", runs / "pix2pix_ddp", tmp_path / "resumed"
    assert_same_run(single, ddp)
    check_rank0_alone_wrote(ddp, runs / "logs", "pix2pix")
    assert main(["pix2pix", "--resume", str(checkpoint(ddp, 2)), "--out", str(resumed), "--no-progress"]) == 0
    assert_same_run(single, resumed, steps=(4,))


def test_cyclegan_from_one_process_to_two_and_back(runs, tmp_path):
    """1 process up to step 1, 2 processes up to step 3, 1 process to the end: the single-process run."""
    single, ddp, back = runs / "cyclegan_single", runs / "cyclegan_ddp", tmp_path / "back"
    assert_same_run(single, ddp, steps=(2, 3, 4))
    check_rank0_alone_wrote(ddp, runs / "logs", "cyclegan")
    assert main(["cyclegan", "--resume", str(checkpoint(ddp, 3)), "--out", str(back), "--no-progress"]) == 0
    assert_same_run(single, back, steps=(4,))


def test_distillation_on_two_processes_is_the_single_process_run(runs):
    assert_same_run(runs / "distill_single", runs / "distill_ddp")


def test_sr_on_two_processes_is_the_single_process_run(runs):
    """Within 2e-5 for the weights: the output bias of the bilinear-started ESPCN gets gradients near zero, where
    Adam's normalised step magnifies the rounding of the float sums (measured: 1.2e-5 on a bias of 0.5)."""
    assert_same_run(runs / "superres_single", runs / "superres_ddp", weight_atol=2e-5)


def test_fast_style_on_two_processes_computes_the_single_process_function(runs):
    """The shift of the norm that ends each residual block has a gradient of zero up to rounding (the next
    conv's instance norm removes any constant it adds), and Adam turns that rounding noise into full-size steps
    that differ with the order of float sums. So the style nets are compared by what they compute."""
    single, ddp = runs / "style_single", runs / "style_ddp"
    assert_same_run(single, ddp, steps=(2, 4), weights=False)
    images = torch.rand(2, 3, 16, 16) * 2 - 1
    outputs = []
    for run in (single, ddp):
        net = build_network("johnson", width=4, n_res=1, norm="instance").eval()
        weights = load_file(checkpoint(run, 4) / "networks.safetensors")
        net.load_state_dict({key.removeprefix("G."): value for key, value in weights.items()})
        with torch.no_grad():
            outputs.append(net(images))
    torch.testing.assert_close(outputs[1], outputs[0], rtol=0, atol=1e-5)  # outputs in [-1, 1]; measured 1.8e-6


def _rank_main(rank: int, argv: list[str], port: int, out: Path) -> None:
    """One process of a 2-process job: ``lensengine-train ARGV`` with its stderr and exit status in ``out``."""
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", LOCAL_WORLD_SIZE="2")
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    with open(out / f"rank{rank}.err", "w") as stderr, contextlib.redirect_stderr(stderr):
        code = main(argv)
    (out / f"rank{rank}.code").write_text(str(code))


def test_a_failing_rank_ends_the_run_with_one_line(tmp_path):
    """Rank 1's sample of step 0 is unreadable: rank 0 says so in one line, and nobody hangs. (Forked processes
    in place of torchrun, which would spend most of the test importing the trainers again.)"""
    pairs = pair_folder(tmp_path / "pairs", count=2)
    rank1_sample = int(epoch_order(SEED, 0, 2)[1])  # global batch 2 = both pairs; rank 1 takes the second
    (pairs / f"pair{rank1_sample}.png").write_bytes(b"not a png")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [*PIX2PIX, "--pairs", str(pairs), "--out", str(tmp_path / "run")]
    job = torch.multiprocessing.start_processes(
        _rank_main, (argv, port, tmp_path), nprocs=2, join=False, start_method="fork"
    )
    deadline = time.monotonic() + 120
    while not job.join(timeout=5):
        assert time.monotonic() < deadline, "the processes hang"
    assert [(tmp_path / f"rank{rank}.code").read_text() for rank in range(2)] == ["2", "2"]
    errors = (tmp_path / "rank0.err").read_text().strip().splitlines()
    assert len(errors) == 1
    assert errors[0].startswith("lensengine-train: error: rank 1 failed at step 0: ")
    assert "unreadable" in errors[0]
    assert (tmp_path / "rank1.err").read_text() == ""  # rank 1 leaves the telling to rank 0


def test_a_global_batch_that_does_not_split_is_refused():
    assert rank_batch(8, World(1, 4)) == 2
    with pytest.raises(LensEngineError, match="--batch-size 3 does not split evenly over 2 processes"):
        rank_batch(3, World(0, 2))


def test_under_torchrun_each_process_takes_the_gpu_of_its_local_rank(monkeypatch):
    for name, value in {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2"}.items():
        monkeypatch.setenv(name, value)
    assert rank_device("cpu") == "cpu"
    with pytest.raises(LensEngineError, match="takes the GPU of its LOCAL_RANK; use --device cuda"):
        rank_device("cuda:1")


def test_each_rank_takes_its_slice_of_the_global_batch():
    whole = list(StepBatches(5, 4, SEED, 0, 6))
    halves = [list(StepBatches(5, 4, SEED, 0, 6, (rank, 2))) for rank in range(2)]
    assert [first + second for first, second in zip(*halves)] == whole
