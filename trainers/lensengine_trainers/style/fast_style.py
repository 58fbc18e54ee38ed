"""Fast style transfer (Johnson, Alahi & Fei-Fei, ECCV 2016): a feed-forward net learns one style.

The Johnson net (lensengine.nets.johnson) turns each content image into a stylised one in a single pass; it
learns by minimising the perceptual losses (losses.py) of its output: content against the input's VGG16
``relu2_2`` features, style against the Gram matrices of ``relu1_2``, ``relu2_2``, ``relu3_3``, ``relu4_3`` of
the one style image, plus a little total variation. Adam, 1e-3.

The style image is part of the model's settings: its path and sha256 are stored, and a resumed run refuses a
style image that changed. Which VGG features measured the losses (ImageNet, or the seeded random fallback) is
stored too, and ends up in the lens pack's provenance.

Temporal stability (``stability_weight`` > 0): a video's consecutive frames differ by camera noise and small
motions, and a style net amplifies such differences into flicker. Each step also stylises the batch with
Gaussian noise added (``stability_noise``, the standard deviation in the net's [-1, 1] input units) and
penalises the mean squared difference between the two outputs (the noise-resilience loss of Gupta et al.,
"Characterizing and Improving Stability in Neural Style Transfer", ICCV 2017).

Presets: "johnson" is the paper's net (width 32, 5 residual blocks); "slim8" (width 8, 3 blocks) runs as a
frame lens on a CPU.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch

from lensengine.errors import LensEngineError
from lensengine.nets import build_network
from lensengine.util.files import file_sha256
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.vgg import load_vgg
from lensengine_trainers.style.images import fit_long_side, image_tensor, read_style_image
from lensengine_trainers.style.losses import JOHNSON_CONTENT_LAYER, JOHNSON_STYLE_LAYERS, LossWeights, PerceptualLoss

PRESETS = {
    "johnson": {"width": 32, "n_res": 5, "outer_kernel": 9},
    "slim8": {"width": 8, "n_res": 3, "outer_kernel": 9},
    "cpu720": {"width": 8, "n_res": 3, "outer_kernel": 3},
}


@dataclass
class FastStyleConfig:
    """Every knob of a fast style model (stored in checkpoints and lens-pack provenance).

    ``vgg_weights`` is "random" or the path of a VGG file (resolved before the run starts, never "auto").
    """

    style_image: str = ""
    style_sha256: str = ""
    style_origin: str = ""
    style_size: int = 256
    size: int = 256
    width: int = 32
    n_res: int = 5
    outer_kernel: int = 9
    vgg: str = "vgg16"
    vgg_weights: str = "random"
    vgg_seed: int = 0
    content_layer: str = JOHNSON_CONTENT_LAYER
    style_layers: list[str] = field(default_factory=lambda: list(JOHNSON_STYLE_LAYERS))
    content_weight: float = 1.0
    style_weight: float = 10.0
    tv_weight: float = 0.1
    lr: float = 1e-3
    stability_weight: float = 0.0
    stability_noise: float = 0.04

    def __post_init__(self) -> None:
        if not self.style_image:
            raise LensEngineError("a fast style model needs --style IMAGE")
        if self.size < 16 or self.size % 4:
            raise LensEngineError(f"--size {self.size} must be a multiple of 4 and at least 16: e.g. 192 or 256")
        if self.lr <= 0:
            raise LensEngineError(f"--lr must be > 0, got {self.lr}")
        LossWeights(self.content_weight, self.style_weight, self.tv_weight)
        if self.stability_weight < 0 or self.stability_noise <= 0:
            raise LensEngineError(
                f"--stability-weight must be >= 0 and --stability-noise > 0, got {self.stability_weight} and "
                f"{self.stability_noise}"
            )


def style_net(config: FastStyleConfig) -> torch.nn.Module:
    """The Johnson net a fast style model of these settings trains (fresh weights)."""
    return build_network(
        "johnson", width=config.width, n_res=config.n_res, norm="instance", outer_kernel=config.outer_kernel
    )


class FastStyle:
    """A fast style model for the shared loop (see training_model.py); batches hold content images "A"."""

    kind = "style"

    def __init__(self, config: FastStyleConfig, device: torch.device, init_seed: int = 0):
        style_bgr = read_style_image(config.style_image)
        if file_sha256(config.style_image) != config.style_sha256:
            raise LensEngineError(
                f"style image {config.style_image} is not the one the run was started with (sha256 "
                f"{config.style_sha256[:16]}...): give that image, or start a new run"
            )
        self.settings = config
        self.config = asdict(config)
        self.device = device
        self.data_size = config.size
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(init_seed)
            self.generator = style_net(config)
        self.generator.to(device).train()
        vgg, self.vgg_source = load_vgg(
            config.vgg, (config.content_layer, *config.style_layers), config.vgg_weights, seed=config.vgg_seed
        )
        style = image_tensor(fit_long_side(style_bgr, config.style_size), device)
        weights = LossWeights(config.content_weight, config.style_weight, config.tv_weight)
        self.loss = PerceptualLoss(vgg.to(device), style, config.content_layer, tuple(config.style_layers), weights)
        self.networks = {"G": self.generator}
        self.optimizers = {"G": torch.optim.Adam(self.generator.parameters(), lr=config.lr)}
        self.replicas = dict(self.networks)

    def train_step(self, batch: dict[str, torch.Tensor], precision: Precision) -> dict[str, float]:
        content = batch["A"]
        stable = self.settings.stability_weight > 0
        with precision.autocast():
            output = self.replicas["G"](content)
            if stable:
                noisy = content + self.settings.stability_noise * torch.randn_like(content)
                noisy_output = self.replicas["G"](noisy)
        target = self.loss.content_target(content)
        losses = self.loss(output.float(), target)
        if stable:
            losses["stability"] = ((noisy_output.float() - output.float()) ** 2).mean()
            losses["total"] = losses["total"] + self.settings.stability_weight * losses["stability"]
        precision.step(losses["total"], self.optimizers["G"])
        return {name: value.item() for name, value in losses.items()}

    @torch.no_grad()
    def sample_images(self, batch: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        """Columns content | stylised."""
        self.generator.eval()
        output = self.generator(batch["A"])
        self.generator.train()
        return [batch["A"], output]
