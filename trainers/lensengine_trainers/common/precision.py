"""Mixed precision for the training steps: float16 autocast and a GradScaler on CUDA, plain float32 on the CPU.

One scaler serves every optimiser of a model (PyTorch's recipe for several models and losses): a model calls
``step(loss, optimizer)`` once per optimiser and the loop calls ``update()`` once per training step.
"""

from __future__ import annotations

import torch


class Precision:
    """Autocast context and scaled backward/step for one device."""

    def __init__(self, device: torch.device, amp: bool):
        self.device = device
        self.enabled = amp and device.type == "cuda"
        self.scaler = torch.amp.GradScaler(device.type, enabled=self.enabled)

    def autocast(self) -> torch.autocast:
        """The forward-pass context: float16 autocast when enabled, else a no-op."""
        return torch.autocast(device_type=self.device.type, dtype=torch.float16, enabled=self.enabled)

    def step(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer) -> None:
        """Clear the optimiser's gradients, back-propagate ``loss`` (scaled) and step (skipped on inf/nan)."""
        optimizer.zero_grad(set_to_none=True)
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
