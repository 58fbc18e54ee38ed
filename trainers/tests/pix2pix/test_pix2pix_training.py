"""pix2pix through the shared loop: it learns, it resumes bit for bit, it logs and keeps its checkpoints."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from lensengine.errors import LensEngineError
from lensengine_trainers.cli import main
from lensengine_trainers.common.checkpoint import read_checkpoint, run_checkpoints
from lensengine_trainers.common.loop import LoopConfig, train
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.quality import NO_AUGMENTATION, measure_quality
from lensengine_trainers.data.augment import AugmentConfig
from lensengine_trainers.data.face_folder import FaceFolder
from lensengine_trainers.data.training_data import TeacherSamples
from lensengine_trainers.pix2pix.model import Pix2Pix, Pix2PixConfig

TINY = Pix2PixConfig(size=32, ngf=8, num_downs=5, ndf=8, n_layers=2)
CPU = torch.device("cpu")
DATA = {"source": "test", "margin": 0.35, "count": 6}


def teacher_samples(face_folder, iris_marker, augment: AugmentConfig) -> TeacherSamples:
    return TeacherSamples(FaceFolder(face_folder), iris_marker(), 32, augment)


def test_training_lowers_the_error(tmp_path, face_folder, iris_marker):
    samples = teacher_samples(face_folder, iris_marker, AugmentConfig())
    plain = teacher_samples(face_folder, iris_marker, NO_AUGMENTATION)
    model = Pix2Pix(Pix2PixConfig(**{**TINY.__dict__, "lr": 1e-3}), CPU)
    before = measure_quality(model.generator, plain, "AtoB")
    result = train(model, samples, DATA, LoopConfig(steps=24, batch_size=3, progress=False), tmp_path)
    after = measure_quality(model.generator, plain, "AtoB")
    assert after["mae_8bit"] < 0.8 * before["mae_8bit"]
    assert set(result.losses) == {"G_gan", "G_L1", "D_real", "D_fake"}
    assert result.checkpoint == tmp_path / "checkpoints" / "step_00000024"
    assert list((tmp_path / "tensorboard").glob("events.out.tfevents.*"))


def _weights_and_moments(checkpoint_folder):
    return (load_file(checkpoint_folder / name) for name in ("networks.safetensors", "optimizers.safetensors"))


def test_resume_continues_exactly_as_an_unbroken_run(tmp_path, face_folder, iris_marker):
    """Dropout, augmentation (noise included) and data order all draw random numbers; the resumed run must
    still give the unbroken run's weights and Adam moments bit for bit, from a checkpoint moved elsewhere."""
    augment = AugmentConfig(rotate=10, brightness=0.2, noise=5)
    samples = teacher_samples(face_folder, iris_marker, augment)
    loop = LoopConfig(steps=5, batch_size=4, log_every=1, checkpoint_every=3, keep_checkpoints=5, progress=False)
    unbroken = train(Pix2Pix(TINY, CPU), samples, DATA, loop, tmp_path / "unbroken")

    train(Pix2Pix(TINY, CPU), samples, DATA, LoopConfig(**{**loop.__dict__, "steps": 3}), tmp_path / "first")
    moved = tmp_path / "elsewhere" / "step_00000003"
    shutil.copytree(tmp_path / "first" / "checkpoints" / "step_00000003", moved)
    shutil.rmtree(tmp_path / "first")
    other_init = Pix2Pix(TINY, CPU, init_seed=99)
    resumed = train(other_init, samples, DATA, loop, tmp_path / "second", resume=read_checkpoint(moved))

    assert resumed.losses == unbroken.losses
    for expected, got in zip(_weights_and_moments(unbroken.checkpoint), _weights_and_moments(resumed.checkpoint)):
        assert expected.keys() == got.keys()
        assert all(torch.equal(expected[key], got[key]) for key in expected)


def test_checkpoints_are_pruned_and_finished_runs_refuse_to_resume(tmp_path, face_folder, iris_marker):
    samples = teacher_samples(face_folder, iris_marker, AugmentConfig())
    loop = LoopConfig(steps=4, checkpoint_every=1, keep_checkpoints=2, progress=False)
    train(Pix2Pix(TINY, CPU), samples, DATA, loop, tmp_path)
    assert [p.name for p in run_checkpoints(tmp_path)] == ["step_00000003", "step_00000004"]
    with pytest.raises(LensEngineError, match="already at step 4 of 4"):
        train(Pix2Pix(TINY, CPU), samples, DATA, loop, tmp_path, resume=read_checkpoint(tmp_path))


def test_direction_b_to_a_feeds_b(face_folder, iris_marker):
    model = Pix2Pix(Pix2PixConfig(**{**TINY.__dict__, "direction": "BtoA"}), CPU)
    batch = {"A": torch.zeros(1, 3, 32, 32), "B": torch.ones(1, 3, 32, 32)}
    source, _, target = model.sample_images(batch)
    assert torch.equal(source, batch["B"]) and torch.equal(target, batch["A"])


def test_command_line_run_resume_and_fixed_settings(tmp_path, face_folder, capsys):
    pytest.importorskip("lensengine_thug_glasses", reason="the thug_glasses plugin is not installed")
    common = ["--no-progress", "--device", "cpu"]
    first = [
        "pix2pix",
        "--faces",
        str(face_folder),
        "--on-the-fly-teacher",
        "thug_glasses_classic",
        "--out",
        str(tmp_path),
        "--size",
        "32",
        "--ngf",
        "4",
        "--num-downs",
        "5",
        "--ndf",
        "4",
        "--steps",
        "2",
    ]
    assert main(first + common) == 0
    assert main(["pix2pix", "--resume", str(tmp_path), "--steps", "3"] + common) == 0
    assert "pix2pix: step 3" in capsys.readouterr().out
    checkpoint = read_checkpoint(tmp_path)
    assert checkpoint.step == 3 and checkpoint.model_config["ngf"] == 4
    assert main(["pix2pix", "--resume", str(tmp_path), "--steps", "4", "--ngf", "8"] + common) == 2
    assert "--ngf cannot change when resuming" in capsys.readouterr().err


def test_generator_sizes_must_fit_the_u_net():
    with pytest.raises(LensEngineError, match="use --size 128"):
        Pix2PixConfig(size=130, num_downs=7)
    with pytest.raises(LensEngineError, match="--direction must be AtoB or BtoA"):
        Pix2PixConfig(direction="sideways")


def test_the_rate_decays_linearly_to_zero_over_the_last_steps(face_folder, iris_marker):
    samples = teacher_samples(face_folder, iris_marker, NO_AUGMENTATION)
    sample = samples.sample(0, np.random.default_rng(0))
    batch = {side: torch.from_numpy(sample[side])[None] for side in ("A", "B")}
    batch = {side: image.permute(0, 3, 1, 2).float() / 127.5 - 1.0 for side, image in batch.items()}
    decaying = Pix2Pix(Pix2PixConfig(**{**TINY.__dict__, "constant_steps": 2, "decay_steps": 4}), CPU)
    constant = Pix2Pix(TINY, CPU)
    rates = {"decaying": [], "constant": []}
    for _ in range(6):
        for name, model in (("decaying", decaying), ("constant", constant)):
            model.train_step(batch, Precision(CPU, amp=False))
            rates[name].append([model.optimizers[net].param_groups[0]["lr"] for net in ("G", "D")])
    base = TINY.lr
    np.testing.assert_allclose(rates["decaying"], [[base * f] * 2 for f in (1, 1, 1, 0.75, 0.5, 0.25)])
    assert rates["constant"] == [[base, base]] * 6


def test_decay_longer_than_the_run_is_refused(tmp_path, face_folder, capsys):
    argv = ["pix2pix", "--faces", str(face_folder), "--on-the-fly-teacher", "thug_glasses_classic"]
    argv += ["--out", str(tmp_path), "--steps", "10", "--decay-steps", "11", "--no-progress", "--device", "cpu"]
    assert main(argv) == 2
    assert "--decay-steps 11 is more than --steps 10" in capsys.readouterr().err
    with pytest.raises(LensEngineError, match="--decay-steps must be 0 or more"):
        Pix2PixConfig(decay_steps=-1)


def test_squared_error_term_is_logged_and_weighted(face_folder, iris_marker):
    samples = teacher_samples(face_folder, iris_marker, NO_AUGMENTATION)
    sample = samples.sample(0, np.random.default_rng(0))
    batch = {side: torch.from_numpy(sample[side])[None].permute(0, 3, 1, 2).float() / 127.5 - 1.0 for side in "AB"}
    settings = {**TINY.__dict__, "lambda_gan": 0.0, "dropout": False}  # no dropout: the same output twice
    with_l2 = Pix2Pix(Pix2PixConfig(**{**settings, "lambda_l2": 50.0}), CPU)
    with torch.no_grad():
        expected = torch.nn.functional.mse_loss(with_l2.generator(batch["A"]), batch["B"]).item()
    losses = with_l2.train_step(batch, Precision(CPU, amp=False))
    assert set(losses) == {"G_L1", "G_L2"} and losses["G_L2"] == pytest.approx(expected, rel=1e-5)
    assert set(Pix2Pix(Pix2PixConfig(**settings), CPU).train_step(batch, Precision(CPU, amp=False))) == {"G_L1"}
    with pytest.raises(LensEngineError, match="--lambda-l1 and --lambda-l2 must be >= 0"):
        Pix2PixConfig(lambda_l2=-1.0)
