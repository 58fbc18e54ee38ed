"""Warm start: a new CycleGAN run whose generators start from the weights of two lens packs.

``--warm-start PACK_AB PACK_BA`` loads each pack's safetensors weights (checked by the pack's sha256) into the
generator of that direction. The packs must hold ResNet generators of the run's width and depth. A colour-only
pack may start an alpha run (``--alpha``): its colour channels are copied, and the alpha channel keeps its start
(``--alpha-start``). That turns a lens that redraws the whole face into one that composites what it draws,
without learning the drawing again from nothing. The packs and their hashes go into the run's data description,
and so into every pack exported from it.
"""

from __future__ import annotations

import torch
from safetensors.torch import load_file

from lensengine.errors import LensEngineError
from lensengine.packs import load_pack

KNOBS = ("ngf", "n_blocks")


def warm_start(generators: dict[str, torch.nn.Module], packs: dict[str, str]) -> dict[str, dict[str, str]]:
    """Load ``packs`` (direction -> pack folder) into ``generators`` (direction -> net); their provenance."""
    provenance = {}
    for direction, path in packs.items():
        pack = load_pack(path)
        generator = generators[direction]
        if pack.arch != "resnet_generator":
            raise LensEngineError(f"--warm-start: {path} holds a {pack.arch}, not a CycleGAN's resnet_generator")
        differing = [knob for knob in KNOBS if pack.config.get(knob) != generator.config[knob]]
        if differing:
            wanted = ", ".join(f"--{knob.replace('_', '-')} {pack.config.get(knob)}" for knob in differing)
            raise LensEngineError(f"--warm-start: {path} was trained with other knobs: start the run with {wanted}")
        _load_into(generator, load_file(pack.file("safetensors")), path)
        provenance[direction] = {"pack": str(pack.root), "sha256": pack.files["safetensors"].sha256}
    return provenance


def _load_into(generator: torch.nn.Module, weights: dict[str, torch.Tensor], path: str) -> None:
    state = generator.state_dict()
    for key, value in weights.items():
        if key not in state:
            raise LensEngineError(f"--warm-start: {path} has a weight {key!r} this generator lacks")
        target = state[key]
        if value.shape == target.shape:
            target.copy_(value)
        elif value.shape[1:] == target.shape[1:] and value.shape[0] == target.shape[0] - 1:
            target[: value.shape[0]].copy_(value)  # a colour-only pack into an alpha net: the alpha keeps its start
        else:
            raise LensEngineError(
                f"--warm-start: weight {key!r} of {path} is {tuple(value.shape)}, "
                f"the generator's is {tuple(target.shape)}"
            )
    missing = sorted(set(state) - set(weights))
    if missing:
        raise LensEngineError(f"--warm-start: {path} lacks the weight {missing[0]!r}")
    generator.load_state_dict(state)
