"""Checks shared by the network definitions: constructor knobs and input tensors.

Both kinds of mistake raise :class:`NetworkError`, a one-line :class:`LensEngineError` that is also a
``ValueError`` (so code that catches ``ValueError`` around a bad config keeps working).

Input checks are skipped while a network is traced or compiled (ONNX export, ``torch.jit.trace``,
``torch.compile``): there the shapes are symbolic and the exported graph must not carry the checks.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from lensengine.errors import LensEngineError


class NetworkError(LensEngineError, ValueError):
    """A network was built with a bad knob or called with a tensor it cannot take."""


def require_int(net: str, name: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` if it is a plain int (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise NetworkError(f"{net}: {name} must be an integer >= {minimum}, got {value!r}")
    return value


def require_choice(net: str, name: str, value: object, choices: Sequence[object]) -> object:
    """Return ``value`` if it is one of ``choices`` (compared by type and value, so True is not 1)."""
    if not any(type(value) is type(c) and value == c for c in choices):
        valid = ", ".join(repr(c) for c in choices)
        raise NetworkError(f"{net}: {name} must be one of {valid}, got {value!r}")
    return value


def require_bool(net: str, name: str, value: object) -> bool:
    """Return ``value`` if it is a bool."""
    if not isinstance(value, bool):
        raise NetworkError(f"{net}: {name} must be True or False, got {value!r}")
    return value


def require_positive_float(net: str, name: str, value: object) -> float:
    """Return ``value`` as a float if it is a positive int or float (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise NetworkError(f"{net}: {name} must be a number > 0, got {value!r}")
    return float(value)


def check_image_batch(x: torch.Tensor, net: str, channels: int, multiple: int = 1, min_size: int = 1) -> None:
    """Raise NetworkError unless ``x`` is N x channels x H x W with H, W divisible by ``multiple``
    and at least ``min_size``."""
    if torch.jit.is_tracing() or torch.compiler.is_compiling():
        return
    if x.dim() != 4:
        raise NetworkError(
            f"{net} takes a batch shaped N x {channels} x H x W, got shape {tuple(x.shape)}; "
            "add the batch axis and put channels first"
        )
    if x.shape[1] != channels:
        raise NetworkError(
            f"{net} was built for {channels} input channels, got {x.shape[1]}; "
            f"feed {channels}-channel images or build the network for {x.shape[1]}"
        )
    height, width = x.shape[2], x.shape[3]
    if height % multiple or width % multiple:
        raise NetworkError(
            f"{net} needs height and width divisible by {multiple}, got {height}x{width}; "
            f"resize or pad the input to a multiple of {multiple}"
        )
    if min(height, width) < min_size:
        raise NetworkError(
            f"{net} needs images of at least {min_size}x{min_size}, got {height}x{width}; "
            "use a larger input or a shallower network"
        )
