"""CycleGAN (Zhu et al., ICCV 2017): two generators and two discriminators learn from unpaired sets A and B.

``G_AB`` turns A into B and ``G_BA`` B into A; ``D_A`` tells real A images from ``G_BA``'s, ``D_B`` real B from
``G_AB``'s (70x70 PatchGANs). Every step the generators minimise

    least-squares GAN loss of both directions
    + lambda_cycle * (|G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b|)                 cycle consistency (L1)
    + lambda_cycle * lambda_identity * (d(G_AB(b), b) + d(G_BA(a), a))           identity

where d is the L1 distance of pixels, or of VGG16 features (relu1_2, relu2_2, relu3_3) when ImageNet VGG weights
are given (``identity_features="vgg"``). Then the discriminators learn from real images against fakes drawn
from a pool of 50 past fakes (image_pool.py). Both optimisers are Adam (2e-4, betas 0.5 and 0.999) with a rate
that is constant for ``constant_steps`` and then falls linearly to 0 over ``decay_steps`` (lr_schedule.py).

Presets: "full" is the paper's 256-pixel net (ngf 64, 9 residual blocks); "slim32" and "slim16" are 128-pixel
nets with 6 blocks and ngf 32 or 16, for lenses that run on a CPU.

With ``alpha`` both generators have an alpha head (``lensengine.nets.resnet_generator``: colour through tanh,
alpha through a sigmoid) and what each shows is the composite ``input * (1 - alpha) + colour * alpha``, as in the
attention-mask generators (GANimation, Pumarola et al. 2018; attention-guided CycleGAN, Mejjati et al. 2018;
AttentionGAN, Tang et al. 2019). Every use of a generator's output as an image (the GAN losses, the cycle, the
identity, the pool of fakes, the image grid) sees the composite, and the generator loss adds, for the alpha of
both translations (A -> B and B -> A), ``lambda_alpha_l1`` times its mean (sparsity) and ``lambda_alpha_tv``
times its total variation, so the mask stays tight. The alpha starts near 0 (pix2pix's ``ALPHA_BIAS_INIT``): an
untrained generator leaves the face as it is.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F

from lensengine.errors import LensEngineError
from lensengine.nets import build_network
from lensengine.nets.unet import split_colour_alpha
from lensengine_trainers.common.gan_loss import gan_loss
from lensengine_trainers.common.lr_schedule import LinearDecaySchedule
from lensengine_trainers.common.patchgan import PatchDiscriminator
from lensengine_trainers.common.precision import Precision
from lensengine_trainers.common.vgg import load_vgg
from lensengine_trainers.common.weight_init import init_gan_weights
from lensengine_trainers.cyclegan.image_pool import ImagePool
from lensengine_trainers.pix2pix.model import ALPHA_BIAS_INIT, set_requires_grad, shown_image, total_variation

PRESETS = {
    "full": {"size": 256, "ngf": 64, "n_blocks": 9},
    "slim32": {"size": 128, "ngf": 32, "n_blocks": 6},
    "slim16": {"size": 128, "ngf": 16, "n_blocks": 6},
}
IDENTITY_FEATURES = ("pixel", "vgg")
IDENTITY_VGG_LAYERS = ("relu1_2", "relu2_2", "relu3_3")
GAN_MODE = "lsgan"


@dataclass
class CycleGANConfig:
    """Every knob of a CycleGAN model (stored in checkpoints and lens-pack provenance)."""

    size: int = 256
    ngf: int = 64
    n_blocks: int = 9
    ndf: int = 64
    n_layers: int = 3
    lambda_cycle: float = 10.0
    lambda_identity: float = 0.5
    identity_features: str = "pixel"
    vgg_weights: str = "imagenet"
    vgg_sha256: str = ""
    pool_size: int = 50
    lr: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    constant_steps: int = 5000
    decay_steps: int = 5000
    alpha: bool = False
    lambda_alpha_l1: float = 0.1
    lambda_alpha_tv: float = 0.1
    alpha_start: float = 1.0 / (1.0 + math.exp(-ALPHA_BIAS_INIT))  # 0.018: an untrained net leaves faces alone
    warmup_steps: int = 0  # the cycle, identity and alpha-sparsity weights rise from 0 over these first steps

    def __post_init__(self) -> None:
        if self.size < 16 or self.size % 4:
            raise LensEngineError(f"--size {self.size} must be a multiple of 4 and at least 16: e.g. 128 or 256")
        if self.identity_features not in IDENTITY_FEATURES:
            raise LensEngineError(f"--identity-features must be pixel or vgg, got {self.identity_features!r}")
        if min(self.lambda_cycle, self.lambda_identity) < 0:
            raise LensEngineError(
                f"--lambda-cycle and --lambda-identity must be >= 0, got {self.lambda_cycle} and {self.lambda_identity}"
            )
        if not 0.0 < self.alpha_start < 1.0:
            raise LensEngineError(f"--alpha-start must be an opacity strictly between 0 and 1, got {self.alpha_start}")
        if self.warmup_steps < 0:
            raise LensEngineError(f"--warmup-steps must be 0 or more, got {self.warmup_steps}")
        if min(self.lambda_alpha_l1, self.lambda_alpha_tv) < 0:
            raise LensEngineError(
                "--lambda-alpha-l1 and --lambda-alpha-tv must be >= 0, got "
                f"{self.lambda_alpha_l1} and {self.lambda_alpha_tv}"
            )

    @property
    def total_steps(self) -> int:
        return self.constant_steps + self.decay_steps


def build_generator(config: CycleGANConfig) -> torch.nn.Module:
    """One of the two ResNet generators ``config`` describes (on the CPU, weights not initialised)."""
    return build_network(
        "resnet_generator", ngf=config.ngf, n_blocks=config.n_blocks, norm="instance", alpha=config.alpha
    )


def init_alpha_bias(generator: torch.nn.Module, opacity: float) -> None:
    """Start an alpha ResNet generator's alpha channel at ``opacity``: its last conv's last bias, the logit."""
    if generator.config.get("alpha"):
        with torch.no_grad():
            generator.model[-2].bias[-1].fill_(math.log(opacity / (1.0 - opacity)))


def alpha_terms(output: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(mean, total variation) of an alpha generator's alpha (0..1), in float32 outside autocast."""
    _, alpha = split_colour_alpha(output.float())
    return alpha.mean(), total_variation(alpha)


class IdentityDistance:
    """L1 distance of pixels, or of frozen ImageNet VGG16 features (a lens pack records which)."""

    def __init__(self, config: CycleGANConfig, device: torch.device) -> None:
        self.vgg = None
        self.source = None
        if config.identity_features == "vgg":
            self.vgg, self.source = load_vgg(
                "vgg16", IDENTITY_VGG_LAYERS, config.vgg_weights, sha256=config.vgg_sha256 or None
            )
            self.vgg.to(device)

    def __call__(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.vgg is None:
            return F.l1_loss(output.float(), target.float())
        ours, theirs = self.vgg(output.float()), self.vgg(target.float())
        return sum(F.l1_loss(ours[layer], theirs[layer]) for layer in IDENTITY_VGG_LAYERS) / len(IDENTITY_VGG_LAYERS)


class CycleGAN:
    """A CycleGAN model for the shared loop (see training_model.py); batches hold unpaired "A" and "B"."""

    kind = "cyclegan"

    def __init__(self, config: CycleGANConfig, device: torch.device, init_seed: int = 0):
        self.settings = config
        self.config = asdict(config)
        self.device = device
        self.data_size = config.size
        self.g_ab, self.g_ba = build_generator(config), build_generator(config)
        self.d_a, self.d_b = (
            PatchDiscriminator(in_ch=3, ndf=config.ndf, n_layers=config.n_layers, norm="instance") for _ in range(2)
        )
        for offset, net in enumerate((self.g_ab, self.g_ba, self.d_a, self.d_b)):
            init_gan_weights(net, init_seed + offset)
            net.to(device).train()
        init_alpha_bias(self.g_ab, config.alpha_start)
        init_alpha_bias(self.g_ba, config.alpha_start)
        self.pool_a = ImagePool(config.pool_size, config.size).to(device)
        self.pool_b = ImagePool(config.pool_size, config.size).to(device)
        self.identity = IdentityDistance(config, device)
        self.networks = {
            "G_AB": self.g_ab,
            "G_BA": self.g_ba,
            "D_A": self.d_a,
            "D_B": self.d_b,
            "pool_A": self.pool_a,
            "pool_B": self.pool_b,
        }
        betas = (config.beta1, config.beta2)
        self.optimizers = {
            "G": torch.optim.Adam(itertools.chain(self.g_ab.parameters(), self.g_ba.parameters()), config.lr, betas),
            "D": torch.optim.Adam(itertools.chain(self.d_a.parameters(), self.d_b.parameters()), config.lr, betas),
        }
        self.replicas = dict(self.networks)
        self.schedule = LinearDecaySchedule(config.lr, config.constant_steps, config.decay_steps)

    def train_step(self, batch: dict[str, torch.Tensor], precision: Precision) -> dict[str, float]:
        if "A" not in batch or "B" not in batch:
            raise LensEngineError("CycleGAN needs images of both sets: give a folder with trainA/ and trainB/")
        s = self.settings
        real_a, real_b = batch["A"], batch["B"]
        ramp = self.warmup_factor()
        set_requires_grad(self.d_a, False)
        set_requires_grad(self.d_b, False)
        g_ab, g_ba = self.replicas["G_AB"], self.replicas["G_BA"]
        with precision.autocast():
            out_ab, out_ba = g_ab(real_a), g_ba(real_b)
            fake_b = shown_image(real_a, out_ab)
            fake_a = shown_image(real_b, out_ba)
            rec_a = shown_image(fake_b, g_ba(fake_b))
            rec_b = shown_image(fake_a, g_ab(fake_a))
            gan_ab = gan_loss(self.d_b(fake_b), True, GAN_MODE)
            gan_ba = gan_loss(self.d_a(fake_a), True, GAN_MODE)
            cycle_a = F.l1_loss(rec_a.float(), real_a.float())
            cycle_b = F.l1_loss(rec_b.float(), real_b.float())
            loss_g = gan_ab + gan_ba + ramp * s.lambda_cycle * (cycle_a + cycle_b)
            idt_ab = idt_ba = torch.zeros((), device=self.device)
            if s.lambda_identity > 0:
                idt_ab = self.identity(shown_image(real_b, g_ab(real_b)), real_b)
                idt_ba = self.identity(shown_image(real_a, g_ba(real_a)), real_a)
                loss_g = loss_g + ramp * s.lambda_cycle * s.lambda_identity * (idt_ab + idt_ba)
        alpha = {}
        if s.alpha:  # the translations' masks: as little and as smooth as the GAN and cycle losses allow
            for direction, output in (("AB", out_ab), ("BA", out_ba)):
                mean, tv = alpha_terms(output)
                alpha[f"alpha_l1_{direction}"], alpha[f"alpha_tv_{direction}"] = mean, tv
                loss_g = loss_g + ramp * s.lambda_alpha_l1 * mean + s.lambda_alpha_tv * tv
        self.schedule.apply(self.optimizers["G"])
        precision.step(loss_g, self.optimizers["G"])

        set_requires_grad(self.d_a, True)
        set_requires_grad(self.d_b, True)
        pooled_b = self.pool_b.query(fake_b)
        pooled_a = self.pool_a.query(fake_a)
        with precision.autocast():
            d_a, d_b = self.replicas["D_A"], self.replicas["D_B"]
            d_b_real = gan_loss(d_b(real_b), True, GAN_MODE)
            d_b_fake = gan_loss(d_b(pooled_b), False, GAN_MODE)
            d_a_real = gan_loss(d_a(real_a), True, GAN_MODE)
            d_a_fake = gan_loss(d_a(pooled_a), False, GAN_MODE)
            loss_d = 0.5 * (d_b_real + d_b_fake) + 0.5 * (d_a_real + d_a_fake)
        self.schedule.apply(self.optimizers["D"])
        precision.step(loss_d, self.optimizers["D"])
        return {
            "G_AB_gan": gan_ab.item(),
            "G_BA_gan": gan_ba.item(),
            "cycle_A": cycle_a.item(),
            "cycle_B": cycle_b.item(),
            "idt_AB": idt_ab.item(),
            "idt_BA": idt_ba.item(),
            "D_A": 0.5 * (d_a_real + d_a_fake).item(),
            "D_B": 0.5 * (d_b_real + d_b_fake).item(),
            **{name: value.item() for name, value in alpha.items()},
        }

    def warmup_factor(self) -> float:
        """How much of the cycle, identity and alpha-sparsity weights the coming update uses: rising linearly from
        0 to 1 over ``warmup_steps`` (counted by the generators' optimiser, so a resumed run goes on with it).
        Those losses are 0 exactly where an alpha generator changes nothing; at full weight from the start they
        can shut the masks before the GAN loss opens them."""
        if not self.settings.warmup_steps:
            return 1.0
        done = int(self.optimizers["G"].param_groups[0].get("schedule_step", 0))
        return min(1.0, done / self.settings.warmup_steps)

    @torch.no_grad()
    def sample_images(self, batch: dict[str, torch.Tensor]) -> list[torch.Tensor]:
        """Columns real | translated | reconstructed | identity: rows of set A show real_A, fake_B, rec_A, idt_B,
        then rows of set B show real_B, fake_A, rec_B, idt_A. Alpha generators' images are the composites, and a
        fifth column shows the translation's alpha in grey (black 0, white 1)."""
        real_a, real_b = batch["A"], batch["B"]

        def shown(generator: torch.nn.Module, source: torch.Tensor) -> torch.Tensor:
            return shown_image(source, generator(source))

        out_ab, out_ba = self.g_ab(real_a), self.g_ba(real_b)
        fake_b, fake_a = shown_image(real_a, out_ab), shown_image(real_b, out_ba)
        rows_a = [real_a, fake_b, shown(self.g_ba, fake_b), shown(self.g_ba, real_a)]
        rows_b = [real_b, fake_a, shown(self.g_ab, fake_a), shown(self.g_ab, real_b)]
        if self.settings.alpha:
            rows_a.append(out_ab[:, -1:].expand_as(real_a))
            rows_b.append(out_ba[:, -1:].expand_as(real_b))
        return [torch.cat([a, b]) for a, b in zip(rows_a, rows_b)]
