"""The learning-rate schedule: constant, then linear down to exactly 0; its position survives checkpoints."""

from __future__ import annotations

import pytest
import torch

from lensengine.errors import LensEngineError
from lensengine_trainers.common.lr_schedule import LinearDecaySchedule, lr_factor


def test_factor_at_its_ends():
    assert lr_factor(0, 100, 50) == 1.0
    assert lr_factor(100, 100, 50) == 1.0
    assert lr_factor(125, 100, 50) == pytest.approx(0.5)
    assert lr_factor(150, 100, 50) == 0.0
    assert lr_factor(400, 100, 50) == 0.0
    assert lr_factor(5, 5, 0) == 1.0 and lr_factor(6, 5, 0) == 0.0


def adam() -> torch.optim.Adam:
    return torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=1.0)


def test_rates_of_a_whole_run():
    optimizer, schedule = adam(), LinearDecaySchedule(2e-4, constant_steps=4, decay_steps=4)
    rates = [schedule.apply(optimizer) for _ in range(8)]
    assert rates[:5] == [2e-4] * 5
    assert rates[5:] == pytest.approx([1.5e-4, 1e-4, 0.5e-4])
    assert schedule.apply(optimizer) == 0.0  # one step past the run's end
    assert optimizer.param_groups[0]["lr"] == 0.0


def test_position_survives_an_optimizer_state_round_trip():
    optimizer, schedule = adam(), LinearDecaySchedule(1.0, constant_steps=2, decay_steps=4)
    for _ in range(4):
        schedule.apply(optimizer)
    restored = adam()
    restored.load_state_dict(optimizer.state_dict())
    assert schedule.apply(restored) == pytest.approx(0.5)


def test_bad_settings():
    with pytest.raises(LensEngineError, match="--lr"):
        LinearDecaySchedule(0.0, 1, 1)
    with pytest.raises(LensEngineError):
        LinearDecaySchedule(1e-4, -1, 1)
