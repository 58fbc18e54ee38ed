"""A super-resolution net as a model of the shared training loop (see training_model.py).

Presets pick the net and its width for where the pack will run (FACTS.md: full-size SR nets are not real-time
on a CPU):

- ``espcn-cpu``: ESPCN, width 16 (3.3 k parameters at x2); about 2 ms per 128 -> 256 crop on 2 CPU cores.
- ``fsrcnn-cpu``: FSRCNN-s (d 32, s 5, m 1), the paper's small variant.
- ``srresnet-gpu``: SRResNet, 16 blocks of width 64 (the paper's net).
- ``edsr-gpu``: EDSR-baseline, 16 blocks of width 64.

The loss is L1, plus ``perceptual`` times the mean squared distance of VGG16 relu2_2 features (Johnson et al.,
ECCV 2016) when asked; ``vgg_weights`` picks the VGG weights as lensengine_trainers.common.vgg.load_vgg does ("auto": an
ImageNet file at hand, else seeded random weights, which the pack's provenance then says).

Batches come from the loop as [-1, 1] tensors ("A" the small input, "B" the sharp target); the SR nets of
lensengine.nets work in [0, 1], so the model converts on the way in and out. The learning rate halves every
``lr_halve_every`` steps, counted from the optimiser's own step count so that a resumed run keeps the schedule.
An ESPCN starts as a bilinear upscaler (``bilinear_start``, see bilinear_start.py); the other nets start random.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from lensengine.errors import LensEngineError
from lensengine.nets import build_network, config_keys
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.vgg import load_vgg
from lensengine_trainers.superres.bilinear_start import start_as_bilinear

SR_ARCHITECTURES = ("espcn", "fsrcnn", "srresnet", "edsr")
# The perceptual loss of Johnson et al. (ECCV 2016) for super-resolution: VGG16 relu2_2 features.
PERCEPTUAL_ARCH, PERCEPTUAL_LAYER = "vgg16", "relu2_2"
# preset -> (arch, net knobs, learning rate)
PRESETS = {
    "espcn-cpu": ("espcn", {"width": 16}, 1e-3),
    "fsrcnn-cpu": ("fsrcnn", {"d": 32, "s": 5, "m": 1}, 1e-3),
    "srresnet-gpu": ("srresnet", {"width": 64, "n_blocks": 16}, 1e-4),
    "edsr-gpu": ("edsr", {"width": 64, "n_blocks": 16}, 1e-4),
}


@dataclass
class SuperResConfig:
    """Every knob of an SR model (stored in checkpoints, and in the pack's provenance)."""

    arch: str = "espcn"
    scale: int = 2
    net: dict = field(default_factory=lambda: dict(PRESETS["espcn-cpu"][1]))
    lr: float = 1e-3
    lr_halve_every: int = 0
    bilinear_start: bool = True
    perceptual: float = 0.0
    vgg_weights: str = "auto"
    beta1: float = 0.9
    beta2: float = 0.999

    def __post_init__(self) -> None:
        if self.arch not in SR_ARCHITECTURES:
            raise LensEngineError(
                f"arch {self.arch!r} is not a super-resolution net: use {', '.join(SR_ARCHITECTURES)}"
            )
        if self.scale not in (2, 4):
            raise LensEngineError(f"--scale must be 2 or 4, got {self.scale}")
        reserved = {"scale", "channels"} & set(self.net)
        if reserved:
            raise LensEngineError(f"net knobs {', '.join(sorted(reserved))} are set by the trainer: leave them out")
        unknown = set(self.net) - set(config_keys(self.arch))
        if unknown:
            raise LensEngineError(
                f"{self.arch} has no knob {', '.join(sorted(unknown))}: it takes {', '.join(config_keys(self.arch))}"
            )
        if self.perceptual < 0:
            raise LensEngineError(f"--perceptual must be >= 0 (0: L1 alone), got {self.perceptual}")
        if self.lr <= 0 or self.lr_halve_every < 0:
            raise LensEngineError(
                f"--lr must be > 0 and --lr-halve-every >= 0, got {self.lr} and {self.lr_halve_every}"
            )

    @classmethod
    def from_preset(cls, preset: str, scale: int, knobs: dict | None = None, **overrides) -> SuperResConfig:
        """The config of ``preset`` at ``scale``; ``knobs`` change the net's, ``overrides`` other fields (lr)."""
        if preset not in PRESETS:
            raise LensEngineError(f"unknown --preset {preset!r}: choose one of {', '.join(PRESETS)}")
        arch, net, lr = PRESETS[preset]
        return cls(**{"arch": arch, "scale": scale, "net": {**net, **(knobs or {})}, "lr": lr, **overrides})

    def network_config(self) -> dict:
        """The keyword arguments of lensengine.nets.build_network for this config."""
        return {**self.net, "scale": self.scale, "channels": 3}


def to_unit(batch: torch.Tensor) -> torch.Tensor:
    """[-1, 1] (the loop's range) -> [0, 1] (the SR nets' range)."""
    return batch * 0.5 + 0.5


def from_unit(batch: torch.Tensor) -> torch.Tensor:
    """[0, 1] -> [-1, 1], clamped."""
    return batch.clamp(0.0, 1.0) * 2.0 - 1.0


class SuperResModel:
    """An SR net and its Adam optimiser for the shared loop; ``networks["G"]`` is what export packs."""

    kind = "superres"

    def __init__(self, config: SuperResConfig, device: torch.device, init_seed: int = 0):
        self.settings = config
        self.config = asdict(config)
        self.device = device
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(init_seed)
            self.net = build_network(config.arch, **config.network_config())
        if config.arch == "espcn" and config.bilinear_start:
            start_as_bilinear(self.net)
        self.net.to(device).train()
        self.vgg, self.vgg_source = None, None
        if config.perceptual > 0:
            self.vgg, self.vgg_source = load_vgg(PERCEPTUAL_ARCH, (PERCEPTUAL_LAYER,), weights=config.vgg_weights)
            self.vgg.to(device)
        self.networks = {"G": self.net}
        self.optimizers = {
            "G": torch.optim.Adam(self.net.parameters(), lr=config.lr, betas=(config.beta1, config.beta2))
        }
        self.replicas = dict(self.networks)

    def completed_steps(self) -> int:
        """Updates made so far, read from the optimiser's state (so it survives a resume)."""
        state = self.optimizers["G"].state
        first = next(iter(self.net.parameters()))
        return int(state[first]["step"]) if first in state else 0

    def _set_learning_rate(self) -> None:
        every = self.settings.lr_halve_every
        halvings = self.completed_steps() // every if every else 0
        for group in self.optimizers["G"].param_groups:
            group["lr"] = self.settings.lr * 0.5**halvings

    def train_step(self, batch: dict[str, torch.Tensor], precision: Precision) -> dict[str, float]:
        small, target = batch["A"], batch.get("B")
        if target is None:
            raise LensEngineError("super-resolution needs (input, target) pairs: train on --images folders")
        self._set_learning_rate()
        with precision.autocast():
            output = self.replicas["G"](to_unit(small))
            l1 = F.l1_loss(output.float(), to_unit(target).float())
            loss, losses = l1, {"L1": l1.item()}
            if self.vgg is not None:
                features = self.vgg(torch.cat([output * 2.0 - 1.0, target]))[PERCEPTUAL_LAYER].float()
                produced, wanted = features.chunk(2)
                perceptual = F.mse_loss(produced, wanted)
                loss = loss + self.settings.perceptual * perceptual
                losses["perceptual"] = perceptual.item()
        precision.step(loss, self.optimizers["G"])
        return losses

    @torch.no_grad()
    def sample_images(self, batch: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        small, target = batch["A"], batch["B"]
        output = self.upscale_tensor(small)
        nearest = F.interpolate(small, scale_factor=self.settings.scale, mode="nearest")
        return [nearest, output, target]

    @torch.no_grad()
    def upscale_tensor(self, small: torch.Tensor) -> torch.Tensor:
        """[-1, 1] N x 3 x h x w -> [-1, 1] N x 3 x (h*scale) x (w*scale), in eval mode, no state changed."""
        was_training = self.net.training
        self.net.eval()
        try:
            return from_unit(self.net(to_unit(small)))
        finally:
            self.net.train(was_training)

    def upscale_images(self, images: np.ndarray) -> np.ndarray:
        """(N, h, w, 3) uint8 BGR -> (N, h*scale, w*scale, 3) uint8 BGR with the current weights."""
        small = torch.from_numpy(np.ascontiguousarray(images)).to(self.device).permute(0, 3, 1, 2).float()
        output = self.upscale_tensor(small / 127.5 - 1.0)
        pixels = ((output + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8)
        return pixels.permute(0, 2, 3, 1).cpu().numpy()
