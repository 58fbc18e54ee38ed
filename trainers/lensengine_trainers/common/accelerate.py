"""Faster training steps: channels-last memory on GPUs and, when asked, ``torch.compile`` of every network.

Channels-last (NHWC) lets cuDNN use its tensor-core convolutions under float16 or bfloat16 autocast; on the CPU
it is left alone. The loop's batches are channels-last already: they are made by permuting N x H x W x 3 images
(tensors.py). ``nn.Module.compile`` compiles a network's forward in place, so the models keep calling their
networks as before and checkpoints keep their keys; the first steps are slower while it compiles.
"""

from __future__ import annotations

import torch
from torch import nn


def accelerate(networks: dict[str, nn.Module], device: torch.device, compile_networks: bool) -> None:
    """Prepare a model's trained networks for ``device`` (networks without parameters, such as a fake pool,
    are left as they are)."""
    for net in networks.values():
        if next(net.parameters(), None) is None:
            continue
        if device.type == "cuda":
            net.to(memory_format=torch.channels_last)
        if compile_networks:
            net.compile()
