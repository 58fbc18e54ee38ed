"""Mixed precision for the training steps: float16 (with a GradScaler) or bfloat16 autocast on CUDA, plain
float32 on the CPU.

One scaler serves every optimiser of a model (PyTorch's recipe for several models and losses): a model calls
``step(loss, optimizer)`` once per optimiser and the loop calls ``update()`` once per training step. bfloat16 has
float32's range and needs no loss scaling. Under torchrun the backward pass in ``step`` also averages the
gradients over the ranks (DistributedDataParallel, distributed.py), so every rank takes the same step.
"""

from __future__ import annotations

import torch

from lensengine.errors import LensEngineError
from lensengine_trainers.common.distributed import collectives

AMP_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16}


class Precision:
    """Autocast context and scaled backward/step for one device."""

    def __init__(self, device: torch.device, amp: bool, dtype: str = "float16"):
        if dtype not in AMP_DTYPES:
            raise LensEngineError(f"--amp-dtype must be float16 or bfloat16, got {dtype!r}")
        self.device = device
        self.enabled = amp and device.type == "cuda"
        self.dtype = AMP_DTYPES[dtype]
        self.scaler = torch.amp.GradScaler(device.type, enabled=self.enabled and self.dtype == torch.float16)

    def autocast(self) -> torch.autocast:
        """The forward-pass context: float16 or bfloat16 autocast when enabled, else a no-op."""
        return torch.autocast(device_type=self.device.type, dtype=self.dtype, enabled=self.enabled)

    def step(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        """Clear the optimiser's gradients, back-propagate ``loss`` (scaled; under torchrun this averages the
        gradients over the ranks), and step (skipped on inf/nan)."""
        optimizer.zero_grad(set_to_none=True)
        with collectives():
            self.scaler.scale(loss).backward()
        self.scaler.step(optimizer)

    def update(self) -> None:
        """Adjust the loss scale after a training step."""
        self.scaler.update()

    def state_dict(self) -> dict:
        return self.scaler.state_dict()

    def load_state_dict(self, state: dict) -> None:
        if state:
            self.scaler.load_state_dict(state)
