"""Portable checkpoints: tensors in safetensors, everything else in JSON, nothing pickled.

A checkpoint is a folder (``<run>/checkpoints/step_00001000``)::

    checkpoint.json          format, step, model kind and config, data, loop settings, optimiser
                             hyper-parameters, loss-scaler state; file names relative to this folder
    networks.safetensors     every network's state dict, keys "<net>.<parameter>" (e.g. "G.down.0.0.weight")
    optimizers.safetensors   every optimiser's per-parameter state, keys "<opt>.<param index>.<name>"

No random-generator state is stored: each step's randomness is derived from the seed and the step number
(see randomness.py), so the folder can be copied to another machine and resumed there.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from lensengine.errors import LensEngineError

FORMAT = "lensengine-checkpoint/1"
META = "checkpoint.json"
NETWORKS = "networks.safetensors"
OPTIMIZERS = "optimizers.safetensors"
CHECKPOINTS = "checkpoints"


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint folder and its parsed checkpoint.json."""

    folder: Path
    meta: dict

    @property
    def step(self) -> int:
        return int(self.meta["step"])

    @property
    def model_kind(self) -> str:
        return str(self.meta["model"]["kind"])

    @property
    def model_config(self) -> dict:
        return dict(self.meta["model"]["config"])

    def tensors(self, file_name: str) -> dict[str, torch.Tensor]:
        """All tensors of one of the checkpoint's safetensors files (on the CPU)."""
        path = self.folder / file_name
        try:
            return load_file(path)
        except (FileNotFoundError, SafetensorError, OSError) as error:
            raise LensEngineError(
                f"checkpoint {self.folder}: cannot read {file_name} ({error}): copy the checkpoint again"
            ) from None

    def network_state(self, name: str) -> dict[str, torch.Tensor]:
        """The state dict of network ``name`` ("G", "D", ...)."""
        prefix = f"{name}."
        state = {key[len(prefix) :]: value for key, value in self.tensors(NETWORKS).items() if key.startswith(prefix)}
        if not state:
            raise LensEngineError(f"checkpoint {self.folder} holds no network {name!r}: is it the right checkpoint?")
        return state


def checkpoint_folder(run_dir: Path, step: int) -> Path:
    return run_dir / CHECKPOINTS / f"step_{step:08d}"


def run_checkpoints(run_dir: Path) -> list[Path]:
    """The checkpoint folders of a run, oldest first."""
    folder = run_dir / CHECKPOINTS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("step_*") if (p / META).is_file())


def _optimizer_split(optimizer: torch.optim.Optimizer, name: str) -> tuple[dict, dict[str, torch.Tensor]]:
    """(JSON part, tensors) of an optimiser's state dict."""
    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, values in state["state"].items():
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{name}.{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(index), {})[key] = value
    return {"param_groups": state["param_groups"], "scalars": scalars}, tensors


def save_checkpoint(
    folder: Path, meta: dict, networks: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer]
) -> Path:
    """Write a checkpoint folder atomically (a half-written checkpoint is never left under its final name)."""
    weights = {
        f"{name}.{key}": value.detach().cpu().contiguous()
        for name, net in networks.items()
        for key, value in net.state_dict().items()
    }
    optimizer_meta, optimizer_tensors = {}, {}
    for name, optimizer in optimizers.items():
        optimizer_meta[name], tensors = _optimizer_split(optimizer, name)
        optimizer_tensors.update(tensors)
    meta = {
        "format": FORMAT,
        **meta,
        "optimizers": optimizer_meta,
        "files": {"networks": NETWORKS, "optimizers": OPTIMIZERS},
        "torch": torch.__version__,
    }
    temporary = folder.with_name(folder.name + ".partial")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    save_file(weights, temporary / NETWORKS)
    save_file(optimizer_tensors, temporary / OPTIMIZERS)
    (temporary / META).write_text(json.dumps(meta, indent=2) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(temporary, folder)
    return folder


def read_checkpoint(path: str | Path) -> Checkpoint:
    """The checkpoint at ``path``: a checkpoint folder, or a run folder (its latest checkpoint)."""
    path = Path(path)
    if not (path / META).is_file():
        found = run_checkpoints(path)
        if not found:
            raise LensEngineError(
                f"{path} is neither a checkpoint folder nor a run folder with checkpoints: "
                "pass the --out folder of a training run or one of its checkpoints/step_* folders"
            )
        path = found[-1]
    try:
        meta = json.loads((path / META).read_text())
    except (OSError, ValueError) as error:
        raise LensEngineError(f"checkpoint {path}: {META} is unreadable ({error}): copy the checkpoint again") from None
    if meta.get("format") != FORMAT:
        raise LensEngineError(f"checkpoint {path} has format {meta.get('format')!r}, expected {FORMAT}")
    return Checkpoint(path, meta)


def load_networks(checkpoint: Checkpoint, networks: dict[str, nn.Module]) -> None:
    """Load every network's weights; a missing or mis-shaped tensor is a LensEngineError."""
    for name, net in networks.items():
        try:
            net.load_state_dict(checkpoint.network_state(name), strict=True)
        except RuntimeError as error:
            first = str(error).strip().splitlines()[0]
            raise LensEngineError(
                f"checkpoint {checkpoint.folder}: network {name} does not fit ({first}); "
                "resume with the settings the run was started with"
            ) from None


def load_optimizers(checkpoint: Checkpoint, optimizers: dict[str, torch.optim.Optimizer]) -> None:
    """Restore every optimiser's state (moments, step counts, hyper-parameters)."""
    tensors = checkpoint.tensors(OPTIMIZERS)
    for name, optimizer in optimizers.items():
        saved = checkpoint.meta["optimizers"].get(name)
        if saved is None:
            raise LensEngineError(f"checkpoint {checkpoint.folder} holds no optimiser {name!r}: is it the right run?")
        state: dict[int, dict] = {}
        for key, value in tensors.items():
            owner, index, field = key.split(".", 2)
            if owner == name:
                state.setdefault(int(index), {})[field] = value
        for index, values in saved["scalars"].items():
            state.setdefault(int(index), {}).update(values)
        groups = [dict(group) for group in saved["param_groups"]]
        for group in groups:
            if "betas" in group:  # JSON gave a list; torch's optimisers keep a tuple
                group["betas"] = tuple(group["betas"])
        optimizer.load_state_dict({"state": state, "param_groups": groups})
