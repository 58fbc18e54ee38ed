"""VGG16 and VGG19 feature extractors (Simonyan & Zisserman, ICLR 2015) for perceptual and style losses.

The layers are torchvision's ``features`` stack in torchvision's order (3x3 convs with ReLU, 2x2 max pools), so
torchvision's published ImageNet files (``vgg16-397923af.pth``, ``vgg19-dcbb9e9d.pth``) load by key. Only the
convolutional part is kept, and only up to the deepest layer asked for. Layers are named as in the papers that
use them: ``conv4_2`` is the second conv of block 4, ``relu4_2`` its ReLU, ``pool4`` the pool ending block 4.

Weights, by ``weights`` argument of :func:`load_vgg`:

- a path: a torchvision ``.pth`` state dict, read with ``torch.load(weights_only=True)`` (nothing unpickled),
  checked against a sha256 (full or prefix; for the official files the 8-hex-digit prefix torchvision puts in
  the file name: no full sha256 is published for them);
- "imagenet": the official file from the user cache (``<cache>/lensengine/vgg/``), downloaded from
  download.pytorch.org into it first when ``allow_download`` is set;
- "random": seeded random weights (Kaiming normal, fan-in, zero bias). Random conv nets still carry texture
  statistics (He, Wang & Hopcroft, NeurIPS 2016; Ustyuzhaninov et al., 2016), so style losses keep working
  where no ImageNet weights can be had, at lower quality;
- "auto": the ImageNet file when one is at hand (``$LENSENGINE_VGG_WEIGHTS`` or the cache), else "random".
  Never downloads.

:class:`VGGSource` says which was used, for a lens pack's provenance.

Tensors: N x 3 x H x W BGR in [-1, 1] in (the trainers' convention); the extractor turns them into the RGB,
ImageNet-normalised input VGG was trained on. Out: a dict layer name -> feature map.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from lensengine.errors import LensEngineError
from lensengine.util.cache import cache_dir
from lensengine.util.files import download_verified, file_sha256

POOL = "M"
CONFIGS = {
    "vgg16": (64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL, 512, 512, 512, POOL),
    "vgg19": (
        64,
        64,
        POOL,
        128,
        128,
        POOL,
        256,
        256,
        256,
        256,
        POOL,
        512,
        512,
        512,
        512,
        POOL,
        512,
        512,
        512,
        512,
        POOL,
    ),
}
IMAGENET_MEAN_RGB = (0.485, 0.456, 0.406)
IMAGENET_STD_RGB = (0.229, 0.224, 0.225)
WEIGHTS_ENV = "LENSENGINE_VGG_WEIGHTS"
DOWNLOAD_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class OfficialWeights:
    """torchvision's ImageNet file for one VGG: its name, URL and the sha256 prefix the name carries."""

    file_name: str
    url: str
    sha256_prefix: str


OFFICIAL_WEIGHTS = {
    "vgg16": OfficialWeights(
        "vgg16-397923af.pth", "https://download.pytorch.org/models/vgg16-397923af.pth", "397923af"
    ),
    "vgg19": OfficialWeights(
        "vgg19-dcbb9e9d.pth", "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth", "dcbb9e9d"
    ),
}


@dataclass(frozen=True)
class VGGSource:
    """Which features a loss used: ImageNet weights (file name and full sha256) or seeded random ones."""

    arch: str
    weights: str  # "imagenet", "file" (a user's file with a pinned hash) or "random"
    file_name: str = ""
    sha256: str = ""
    seed: int = -1

    def to_provenance(self) -> dict:
        """A TOML-able table for a lens pack's provenance (empty fields left out)."""
        return {key: value for key, value in asdict(self).items() if value not in ("", -1)}

    def describe(self) -> str:
        if self.weights == "random":
            return f"{self.arch} with random weights (seed {self.seed}): no ImageNet weights were available"
        return f"{self.arch} with {self.weights} weights {self.file_name} (sha256 {self.sha256[:16]}...)"


def layer_names(arch: str) -> list[str]:
    """Names of the layers of ``arch``'s feature stack in order: conv1_1, relu1_1, conv1_2, ..., pool5."""
    names, block, index = [], 1, 1
    for entry in _config(arch):
        if entry == POOL:
            names.append(f"pool{block}")
            block, index = block + 1, 1
        else:
            names += [f"conv{block}_{index}", f"relu{block}_{index}"]
            index += 1
    return names


class VGGFeatures(nn.Module):
    """VGG's convolutional stack up to the deepest of ``layers``; returns those layers' feature maps.

    The parameters are frozen (``requires_grad`` False) and the module is in eval mode: it is a fixed measure.
    """

    def __init__(self, arch: str = "vgg19", layers: tuple[str, ...] = ("relu4_2",)) -> None:
        super().__init__()
        names = layer_names(arch)
        unknown = [layer for layer in layers if layer not in names]
        if not layers or unknown:
            raise LensEngineError(
                f"{arch} has no layer {unknown[0] if unknown else '(none given)'}: "
                "use names such as relu1_1, conv4_2, pool3"
            )
        self.arch = arch
        self.layers = tuple(layers)
        depth = max(names.index(layer) for layer in layers) + 1
        self.names = names[:depth]
        modules: list[nn.Module] = []
        channels = 3
        for entry in _config(arch):
            if entry == POOL:
                modules.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                modules += [nn.Conv2d(channels, entry, kernel_size=3, padding=1), nn.ReLU()]
                channels = entry
        self.features = nn.Sequential(*modules[:depth])
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN_RGB).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD_RGB).view(1, 3, 1, 1), persistent=False)
        self.requires_grad_(False)
        self.eval()

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        if images.dim() != 4 or images.shape[1] != 3:
            raise LensEngineError(f"VGGFeatures takes N x 3 x H x W BGR images in [-1, 1], got {tuple(images.shape)}")
        x = ((images.flip(1) + 1.0) / 2.0 - self.mean) / self.std
        wanted = set(self.layers)
        found = {}
        for name, layer in zip(self.names, self.features):
            x = layer(x)
            if name in wanted:
                found[name] = x
        return found


def load_vgg(
    arch: str = "vgg19",
    layers: tuple[str, ...] = ("relu4_2",),
    weights: str | Path = "auto",
    sha256: str | None = None,
    seed: int = 0,
    allow_download: bool = False,
) -> tuple[VGGFeatures, VGGSource]:
    """A frozen VGG feature extractor and a record of its weights (see the module docstring for ``weights``).

    ``sha256`` pins the hash (full or prefix) of a weights file given by path; it defaults to the official
    file's prefix.
    """
    _config(arch)
    net = VGGFeatures(arch, layers)
    if weights == "random":
        randomize_weights(net, seed)
        return net, VGGSource(arch, "random", seed=seed)
    if weights == "auto":
        path = local_imagenet_file(arch)
        if path is None:
            randomize_weights(net, seed)
            return net, VGGSource(arch, "random", seed=seed)
    elif weights == "imagenet":
        path = local_imagenet_file(arch) or _require_download(arch, allow_download)
    else:
        path = Path(weights)
    expected = sha256 or OFFICIAL_WEIGHTS[arch].sha256_prefix
    digest = check_sha256(path, expected)
    net.features.load_state_dict(read_features_state(path, net), strict=True)
    official = digest.startswith(OFFICIAL_WEIGHTS[arch].sha256_prefix)
    return net, VGGSource(arch, "imagenet" if official else "file", Path(path).name, digest)


def randomize_weights(net: VGGFeatures, seed: int) -> None:
    """Seeded Kaiming-normal (fan-in, ReLU gain) conv weights and zero biases: the same seed, the same net."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in net.features:
            if isinstance(layer, nn.Conv2d):
                fan_in = layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1]
                std = (2.0 / fan_in) ** 0.5
                layer.weight.copy_(torch.randn(layer.weight.shape, generator=generator) * std)
                layer.bias.zero_()


def weights_cache_dir() -> Path:
    """Where official VGG files are looked for and downloaded to: ``vgg/`` in lensengine's cache folder."""
    return cache_dir("vgg")


def local_imagenet_file(arch: str) -> Path | None:
    """The official ImageNet file for ``arch`` named by ``$LENSENGINE_VGG_WEIGHTS`` or found in the cache."""
    named = os.environ.get(WEIGHTS_ENV)
    if named and Path(named).name == OFFICIAL_WEIGHTS[arch].file_name:
        if not Path(named).is_file():
            raise LensEngineError(f"${WEIGHTS_ENV} names {named}, which does not exist: fix or unset it")
        return Path(named)
    cached = weights_cache_dir() / OFFICIAL_WEIGHTS[arch].file_name
    return cached if cached.is_file() else None


def check_sha256(path: str | Path, expected: str) -> str:
    """The file's full sha256, if it starts with ``expected`` (a full hash or a prefix); else LensEngineError."""
    path = Path(path)
    if not path.is_file():
        raise LensEngineError(f"VGG weights file {path} does not exist: give the path of a torchvision vgg .pth file")
    digest = file_sha256(path)
    if not expected or not digest.startswith(expected.lower()):
        raise LensEngineError(
            f"VGG weights {path.name} have sha256 {digest}, expected {expected or '(none given)'}...: "
            "the file is corrupt or another file; download it again"
        )
    return digest


def read_features_state(path: str | Path, net: VGGFeatures) -> dict[str, torch.Tensor]:
    """The ``features.*`` tensors ``net`` needs from a torchvision state dict file (no pickled objects)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises pickle and zip errors of several types for bad files
        raise LensEngineError(
            f"cannot read VGG weights {path} ({type(error).__name__}): download the file again"
        ) from None
    wanted = net.features.state_dict()
    found = {}
    for key, tensor in wanted.items():
        stored = state.get(f"features.{key}") if isinstance(state, dict) else None
        if not isinstance(stored, torch.Tensor) or stored.shape != tensor.shape:
            raise LensEngineError(
                f"VGG weights {path} lack features.{key} shaped {tuple(tensor.shape)}: "
                f"is it torchvision's {OFFICIAL_WEIGHTS[net.arch].file_name}?"
            )
        found[key] = stored.float()
    return found


def _require_download(arch: str, allow_download: bool) -> Path:
    official = OFFICIAL_WEIGHTS[arch]
    if not allow_download:
        raise LensEngineError(
            f"no {official.file_name} in {weights_cache_dir()}: allow the download, put the file there, "
            f"or set ${WEIGHTS_ENV} to it"
        )
    return download_official(arch)


def download_official(arch: str) -> Path:
    """Fetch torchvision's ImageNet file for ``arch`` into the cache (temp file, hash check, then rename)."""
    official = OFFICIAL_WEIGHTS[arch]
    target = weights_cache_dir() / official.file_name
    return download_verified(
        official.url,
        target,
        official.sha256_prefix,
        what=f"VGG weights {official.file_name}",
        fix=f"fetch it by hand into {target.parent} or set ${WEIGHTS_ENV}",
        timeout_s=DOWNLOAD_TIMEOUT_S,
    )


def _config(arch: str) -> tuple:
    if arch not in CONFIGS:
        raise LensEngineError(f"unknown VGG {arch!r}: use vgg16 or vgg19")
    return CONFIGS[arch]
