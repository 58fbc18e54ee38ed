"""The speed options every trainer shares: --compile, --amp-dtype, and what they do to networks and precision."""

from __future__ import annotations

import argparse

import pytest
import torch
from torch import nn

from lensengine.errors import LensEngineError
from lensengine_trainers.common.accelerate import accelerate
from lensengine_trainers.common.loop import LoopConfig
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.run_options import add_run_options, loop_config
from lensengine_trainers.cyclegan.image_pool import ImagePool


def test_compile_compiles_every_network_with_parameters(monkeypatch):
    compiled = []
    monkeypatch.setattr(nn.Module, "compile", lambda self, *args, **kwargs: compiled.append(self))  # no dynamo here
    net, pool = nn.Conv2d(3, 3, 3), ImagePool(2, 8)
    accelerate({"G": net, "pool": pool}, torch.device("cpu"), compile_networks=True)
    assert compiled == [net]  # the fake pool has no forward to compile
    assert net.weight.is_contiguous()  # channels-last is for GPUs only
    accelerate({"G": net}, torch.device("cpu"), compile_networks=False)
    assert compiled == [net]


def test_the_options_reach_the_loop():
    parser = argparse.ArgumentParser()
    add_run_options(parser, {})
    args = parser.parse_args(["--compile", "--amp-dtype", "bfloat16"])
    config = loop_config(args, {})
    assert (config.compile, config.amp_dtype) == (True, "bfloat16")
    assert (LoopConfig().compile, LoopConfig().amp_dtype) == (False, "float16")
    with pytest.raises(LensEngineError, match="--amp-dtype"):
        LoopConfig(amp_dtype="int8")


def test_bfloat16_needs_no_loss_scaling_and_the_cpu_no_autocast():
    bf16 = Precision(torch.device("cuda"), amp=True, dtype="bfloat16")
    assert bf16.dtype == torch.bfloat16 and bf16.enabled and not bf16.scaler.is_enabled()
    assert not Precision(torch.device("cpu"), amp=True, dtype="bfloat16").enabled
