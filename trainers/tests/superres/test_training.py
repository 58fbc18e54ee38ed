"""A short SR run through the shared loop: held-out scores logged as it goes, resumed exactly."""

from __future__ import annotations

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from lensengine_trainers.common.checkpoint import read_checkpoint
from lensengine_trainers.common.loop import LoopConfig
from lensengine_trainers.superres.degrade import DegradeConfig
from lensengine_trainers.superres.heldout import HeldOutSet
from lensengine_trainers.superres.model import SuperResConfig, SuperResModel
from lensengine_trainers.superres.patches import PatchSamples
from lensengine_trainers.superres.training import train_superres

CPU = torch.device("cpu")
LOOP = LoopConfig(steps=6, batch_size=2, device="cpu", progress=False, log_every=2, image_every=3, checkpoint_every=100)


def run(tmp_path, train_folder, heldout_folder, steps, resume=None, name="run"):
    model = SuperResModel(SuperResConfig(), CPU)
    samples = PatchSamples([train_folder], 2, 16, DegradeConfig())
    heldout = HeldOutSet.from_folder(heldout_folder, 2)
    loop = LoopConfig(**{**vars(LOOP), "steps": steps})
    result = train_superres(model, samples, heldout, {"test": True}, loop, tmp_path / name, eval_every=4, resume=resume)
    return model, result


def test_scores_logged_every_eval_and_at_the_end(tmp_path, train_folder, heldout_folder):
    _, result = run(tmp_path, train_folder, heldout_folder, steps=6)
    assert result.train.step == 6 and result.scores.images == 2
    log = EventAccumulator(str(tmp_path / "run" / "tensorboard" / "heldout"))
    log.Reload()
    for tag in ("heldout/psnr", "heldout/ssim", "heldout/bicubic_psnr", "heldout/psnr_gain"):
        assert [event.step for event in log.Scalars(tag)] == [4, 6]
    assert log.Scalars("heldout/psnr")[-1].value == pytest.approx(result.scores.psnr, rel=1e-6)
    assert 15.0 < result.scores.bicubic_psnr < 45.0


def test_resumed_chain_equals_one_run(tmp_path, train_folder, heldout_folder):
    whole, _ = run(tmp_path, train_folder, heldout_folder, steps=6, name="whole")
    run(tmp_path, train_folder, heldout_folder, steps=4, name="half")
    resumed, _ = run(
        tmp_path, train_folder, heldout_folder, steps=6, name="half", resume=read_checkpoint(tmp_path / "half")
    )
    for (name, a), b in zip(whole.net.state_dict().items(), resumed.net.state_dict().values()):
        assert torch.equal(a, b), name
