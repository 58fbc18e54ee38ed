"""export_pack: turn a trained torch network into a verified lens pack (trainers call this).

The pack gets model.onnx (FP32, opset 17, legacy exporter, dynamic batch axis; frame and superres packs also
take any height and width), model_fp16.onnx (see fp16.py), model.safetensors (the state_dict) and lens.toml.
It is then loaded back with load_pack, and ONNX Runtime's output for a fresh random batch (and, for packs of
any size, a non-square one) must match the torch network's to 1e-3 (max abs), else PackError and the folder
loses its lens.toml so it cannot be used by mistake.

A pack with ``outputs = "rgba"`` (a face net with an alpha head, ``lensengine.nets.unet``) gives 4 channels:
colour, then alpha in the same normalisation. Both are checked against torch, and the FP16 model's alpha must
stay a sane mask: within the output range and within ``MAX_FP16_ALPHA_ERROR`` of torch's.
"""

from __future__ import annotations

import copy
import importlib
import logging
import tempfile
import warnings
from pathlib import Path

import numpy as np

from lensengine.errors import LensEngineError
from lensengine.packs.lens_pack import LensPack
from lensengine.packs.load import load_pack
from lensengine.packs.manifest import MANIFEST_NAME, SUPERRES_FAMILY, LensSpec
from lensengine.packs.pack_error import PackError
from lensengine.packs.write import write_pack
from lensengine_trainers.common.fp16 import convert_onnx_to_fp16

log = logging.getLogger("lensengine.packs")

ONNX_OPSET = 17
MAX_EXPORT_ERROR = 1e-3
MAX_FP16_ALPHA_ERROR = 2e-2  # in network units (2 % of the range): about 2.5 of 255 alpha levels
CHECK_BATCH = 3  # differs from the traced batch of 2, so the dynamic batch axis is exercised


def export_pack(
    module,
    out_dir: str | Path,
    spec: LensSpec,
    *,
    example_size: int | None = None,
    fp16: bool = True,
) -> LensPack:
    """Export ``module`` (a torch nn.Module on N x 3 x S x S) as the pack folder ``out_dir``; return the pack.

    ``spec`` is what lens.toml says about the lens (``lensengine.packs.LensSpec``). ``example_size`` is the side
    of the example input the network is traced and checked with (default ``spec.crop_size``). Face packs are
    exported for ``crop_size`` only; frame packs and superres packs (which enlarge whatever crop the lens before
    them gives) for any height and width. ``spec.arch`` and ``spec.config`` must rebuild the network with
    ``lensengine.nets.build_network``. The caller's module is not changed (a CPU float32 copy is exported).
    """
    torch = _require("torch", "torch")
    side = example_size or spec.crop_size
    dynamic_size = spec.kind == "frame" or spec.family == SUPERRES_FAMILY
    if not dynamic_size and side != spec.crop_size:
        raise PackError(
            spec.name, f"a {spec.family} face pack is exported at its crop_size {spec.crop_size}, not {side}"
        )
    sizes = [(side, side), (side, 2 * side)] if dynamic_size else [(side, side)]
    net = copy.deepcopy(module).to("cpu", torch.float32).eval()
    example = _random_batch(torch, 2, side, side, spec.normalisation, seed=0)
    channels = 4 if spec.outputs == "rgba" else 3
    with torch.no_grad():
        _check_output_shape(net(example), example, spec.scale, spec.name, channels)

    with tempfile.TemporaryDirectory(prefix="lensengine-export-") as staging:
        files = {"onnx_fp32": Path(staging, "model.onnx"), "safetensors": Path(staging, "model.safetensors")}
        _export_onnx(torch, net, example, files["onnx_fp32"], dynamic_size)
        _save_safetensors(net, files["safetensors"])
        if fp16:
            files["onnx_fp16"] = convert_onnx_to_fp16(files["onnx_fp32"], Path(staging, "model_fp16.onnx"))
        folder = write_pack(out_dir, spec, files)
    pack = load_pack(folder)
    try:
        _check_against_torch(torch, net, pack, sizes, spec.normalisation, alpha=channels == 4)
    except PackError:
        (folder / MANIFEST_NAME).unlink()
        raise
    return pack


def _require(module_name: str, extra: str):
    try:
        return importlib.import_module(module_name)
    except ImportError:
        raise LensEngineError(f"export_pack needs {module_name}: pip install 'lensengine[{extra}]'") from None


def _random_batch(torch, batch: int, height: int, width: int, normalisation: str, seed: int):
    """A random batch in the network's input range: [-1, 1] for "tanh", [0, 1] for "unit"."""
    generator = torch.Generator().manual_seed(seed)
    values = torch.rand(batch, 3, height, width, generator=generator)
    return values * 2 - 1 if normalisation == "tanh" else values


def _check_output_shape(output, example, scale: int, name: str, channels: int = 3) -> None:
    batch, _, height, width = example.shape
    expected = (batch, channels, height * scale, width * scale)
    if tuple(output.shape) != expected:
        what = f"scale {scale}" + (" and outputs 'rgba'" if channels == 4 else "")
        raise PackError(
            name,
            f"the network turns {tuple(example.shape)} into {tuple(output.shape)}; {what} needs {expected}"
            + ("" if channels == 4 or output.shape[1] != 4 else " (a net with an alpha head needs outputs='rgba')"),
        )


def _export_onnx(torch, net, example, path: Path, dynamic_size: bool) -> None:
    axes = {0: "batch", 2: "height", 3: "width"} if dynamic_size else {0: "batch"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation and training-mode notices
        torch.onnx.export(
            net,
            example,
            str(path),
            dynamo=False,
            opset_version=ONNX_OPSET,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": axes, "output": axes},
        )


def _save_safetensors(net, path: Path) -> None:
    from safetensors.torch import save_file

    save_file({key: tensor.detach().contiguous() for key, tensor in net.state_dict().items()}, str(path))


def _check_against_torch(
    torch, net, pack: LensPack, sizes: list[tuple[int, int]], normalisation: str, alpha: bool = False
):
    """At each (height, width): ONNX Runtime on the FP32 model must match the torch network to 1e-3 (colour and,
    with ``alpha``, the alpha channel), and the FP16 model (when there is one) must give finite values and, with
    ``alpha``, a mask within the output range and ``MAX_FP16_ALPHA_ERROR`` of torch's."""
    onnxruntime = _require("onnxruntime", "onnx")
    providers = ["CPUExecutionProvider"]
    fp32 = onnxruntime.InferenceSession(str(pack.file("onnx_fp32")), providers=providers)
    fp16 = None
    if "onnx_fp16" in pack.files:
        fp16 = onnxruntime.InferenceSession(str(pack.file("onnx_fp16")), providers=providers)
    for height, width in sizes:
        batch = _random_batch(torch, CHECK_BATCH, height, width, normalisation, seed=1)
        with torch.no_grad():
            expected = net(batch).numpy()
        feed = {"input": batch.numpy()}
        error = float(np.abs(fp32.run(None, feed)[0] - expected).max())
        if not error <= MAX_EXPORT_ERROR:
            raise PackError(
                pack.name,
                f"at {height}x{width}, ONNX output differs from the torch network by {error:.3g} (more "
                f"than {MAX_EXPORT_ERROR:g}); the network does something tracing cannot capture (randomness, "
                "Python branches on values)",
            )
        log.info("%s: ONNX FP32 matches torch to %.2g at %dx%d", pack.name, error, height, width)
        if fp16:
            output16 = fp16.run(None, feed)[0]
            if not np.isfinite(output16).all():
                raise PackError(pack.name, "the FP16 model gives inf or NaN; export it again with fp16=False")
            error16 = float(np.abs(output16 - expected).max())
            log.info("%s: ONNX FP16 differs from torch by %.2g at %dx%d", pack.name, error16, height, width)
            if alpha:
                _check_fp16_alpha(pack.name, output16[:, 3], expected[:, 3], normalisation)


def _check_fp16_alpha(name: str, alpha16: np.ndarray, alpha32: np.ndarray, normalisation: str) -> None:
    """The FP16 model's alpha must stay a mask: inside the output range, close to the FP32 network's."""
    low = -1.0 if normalisation == "tanh" else 0.0
    if alpha16.min() < low - 1e-3 or alpha16.max() > 1.0 + 1e-3:
        raise PackError(
            name,
            f"the FP16 model's alpha leaves [{low:g}, 1] ({alpha16.min():.3g}..{alpha16.max():.3g}); "
            "export it again with fp16=False",
        )
    error = float(np.abs(alpha16 - alpha32).max())
    if error > MAX_FP16_ALPHA_ERROR:
        raise PackError(
            name,
            f"the FP16 model's alpha differs from the torch network's by {error:.3g} (more than "
            f"{MAX_FP16_ALPHA_ERROR:g}); export it again with fp16=False",
        )
